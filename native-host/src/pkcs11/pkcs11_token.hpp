// A token in a slot of a PKCS#11 module as a card::Token: keys are X.509 certificate objects
// paired with private keys by CKA_ID (key_ref = CKA_ID in hex), the card serial is the token
// serial, the PIN state comes from the token flags, and a session is C_OpenSession + C_Login.
#pragma once

#include <memory>

#include "card/token.hpp"
#include "pkcs11/module.hpp"

namespace pkibridge::host::pkcs11 {

class Pkcs11Token : public card::Token {
public:
    // nullptr when the slot holds no initialised token. Throws PcscError(CardRemoved) when the
    // token went away, CardError for other failures.
    static std::unique_ptr<Pkcs11Token> open(std::shared_ptr<Module> module, CK_SLOT_ID slot);

    const card::TokenDescription& description() const override { return description_; }
    std::vector<card::TokenKey> keys() override;
    std::optional<card::TokenKey> key(std::string_view key_ref) override;
    std::optional<std::string> card_serial() override;
    card::PinPolicy pin_policy() const override { return policy_; }
    card::PinStatus pin_status() override;
    void ensure_present() override;
    std::unique_ptr<card::TokenSession> open_session() override;

    // For the session and status.
    CK_TOKEN_INFO token_info();
    const std::shared_ptr<Module>& module() const { return module_; }
    CK_SLOT_ID slot() const { return slot_; }
    bool protected_path() const { return description_.pin_pad; }

private:
    Pkcs11Token(std::shared_ptr<Module> module, CK_SLOT_ID slot)
        : module_(std::move(module)), slot_(slot) {}

    std::shared_ptr<Module> module_;
    CK_SLOT_ID slot_;
    card::TokenDescription description_;
    card::PinPolicy policy_;
    std::string serial_;
    bool login_required_ = true;
};

}  // namespace pkibridge::host::pkcs11
