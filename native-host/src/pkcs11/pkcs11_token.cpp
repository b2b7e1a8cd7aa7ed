#include "pkcs11/pkcs11_token.hpp"

#include "pcsc/pcsc_error.hpp"
#include "pkcs11/ck_error.hpp"
#include "pkcs11/key_pairing.hpp"
#include "pkcs11/pkcs11_session.hpp"
#include "pkcs11/token_flags.hpp"

namespace pkibridge::host::pkcs11 {

std::unique_ptr<Pkcs11Token> Pkcs11Token::open(std::shared_ptr<Module> module, CK_SLOT_ID slot) {
    std::unique_ptr<Pkcs11Token> token(new Pkcs11Token(std::move(module), slot));
    CK_SLOT_INFO slot_info{};
    check_rv(token->module_->api().C_GetSlotInfo(slot, &slot_info), "C_GetSlotInfo");
    if (!(slot_info.flags & CKF_TOKEN_PRESENT)) return nullptr;
    const CK_TOKEN_INFO info = token->token_info();
    if (!(info.flags & CKF_TOKEN_INITIALIZED)) return nullptr;

    // "PKCS#11:<manufacturer>/<model>", e.g. "PKCS#11:SoftHSM project/SoftHSM v2".
    const std::string manufacturer = padded_text(info.manufacturerID);
    const std::string model = padded_text(info.model);
    token->description_.card_type = "PKCS#11:" + manufacturer + (model.empty() ? "" : "/" + model);
    std::string reader = padded_text(slot_info.slotDescription);
    const std::string label = padded_text(info.label);
    if (reader.empty()) reader = "PKCS#11 slot " + std::to_string(slot);
    if (!label.empty()) reader += " (" + label + ")";
    token->description_.reader = reader;
    token->description_.pin_pad = (info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
    token->policy_ = pin_policy_from_info(info);
    token->serial_ = padded_text(info.serialNumber);
    token->login_required_ = (info.flags & CKF_LOGIN_REQUIRED) != 0;
    return token;
}

CK_TOKEN_INFO Pkcs11Token::token_info() {
    CK_TOKEN_INFO info{};
    check_rv(module_->api().C_GetTokenInfo(slot_, &info), "C_GetTokenInfo");
    return info;
}

std::vector<card::TokenKey> Pkcs11Token::keys() {
    Session session(module_, slot_);
    return paired_keys(session, login_required_);
}

std::optional<card::TokenKey> Pkcs11Token::key(std::string_view key_ref) {
    Session session(module_, slot_);
    return paired_key(session, login_required_, std::string(key_ref));
}

std::optional<std::string> Pkcs11Token::card_serial() {
    if (serial_.empty()) return std::nullopt;
    return serial_;
}

card::PinStatus Pkcs11Token::pin_status() {
    return pin_status_from_flags(token_info().flags);
}

void Pkcs11Token::ensure_present() {
    CK_SLOT_INFO info{};
    check_rv(module_->api().C_GetSlotInfo(slot_, &info), "C_GetSlotInfo");
    if (!(info.flags & CKF_TOKEN_PRESENT))
        throw pcsc::PcscError(pcsc::PcscFailure::CardRemoved, SCARD_W_REMOVED_CARD,
                              "the token left " + description_.reader);
}

std::unique_ptr<card::TokenSession> Pkcs11Token::open_session() {
    return std::make_unique<Pkcs11Session>(*this);
}

}  // namespace pkibridge::host::pkcs11
