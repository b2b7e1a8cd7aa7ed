#include "piv/piv_token.hpp"

#include "apdu/apdu_error.hpp"
#include "card/card_error.hpp"
#include "core/log.hpp"
#include "piv/piv_objects.hpp"
#include "piv/piv_session.hpp"
#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::host::piv {
namespace {

std::string upper_hex(std::uint8_t byte) {
    static const char digits[] = "0123456789ABCDEF";
    return {digits[byte >> 4], digits[byte & 0x0F]};
}

}  // namespace

PivToken::PivToken(std::unique_ptr<card::CardChannel> channel)
    : channel_(std::move(channel)), exchanger_(*channel_) {}

std::unique_ptr<PivToken> PivToken::open(std::unique_ptr<card::CardChannel> channel) {
    std::unique_ptr<PivToken> token(new PivToken(std::move(channel)));
    {
        auto access = token->channel_->exclusive();
        const apdu::ResponseApdu r = token->exchange(select_command());
        if (!r.ok()) {
            log::debug("no PIV application in " + token->channel_->reader_name() + " (SW " +
                       apdu::sw_hex(r.sw) + ")");
            return nullptr;
        }
    }
    token->description_.reader = token->channel_->reader_name();
    token->description_.card_type = "PIV";
    token->description_.atr = token->channel_->atr();
    token->description_.pin_pad = token->channel_->has_pin_pad();
    return token;
}

void PivToken::select() {
    const apdu::ResponseApdu r = exchange(select_command());
    if (!r.ok())
        throw card::CardError(
            card::CardFailure::UnsupportedCard,
            "the card no longer offers the PIV application (SW " + apdu::sw_hex(r.sw) + ")",
            std::nullopt, r.sw);
}

std::optional<card::TokenKey> PivToken::read_key(const KeySlot& slot) {
    const apdu::ResponseApdu r = exchange(get_data_command(slot.object_tag));
    if (r.sw == 0x6A82 || (r.ok() && r.data.empty())) return std::nullopt;  // empty slot
    if (!r.ok())
        throw card::CardError(card::CardFailure::OperationFailed,
                              "reading the certificate in PIV slot " + std::string(slot.id) +
                                  " failed (SW " + apdu::sw_hex(r.sw) + ")",
                              std::nullopt, r.sw);
    try {
        const pkcs::Bytes der = parse_certificate_object(r.data);
        card::TokenKey key{std::string(slot.id),
                           std::string(slot.name) + " (" + upper_hex(slot.key_ref) + ")",
                           pkcs::Certificate::from_der(der), slot.key_ref == 0x9A};
        return key;
    } catch (const apdu::MalformedResponse& e) {
        log::warning("PIV slot " + std::string(slot.id) + ": " + e.what());
    } catch (const pkcs::PkcsError& e) {
        log::warning("PIV slot " + std::string(slot.id) +
                     " holds no valid certificate: " + e.what());
    }
    return std::nullopt;
}

std::vector<card::TokenKey> PivToken::keys() {
    auto access = channel_->exclusive();
    select();
    std::vector<card::TokenKey> keys;
    for (const KeySlot& slot : kKeySlots)
        if (auto key = read_key(slot)) keys.push_back(std::move(*key));
    return keys;
}

std::optional<card::TokenKey> PivToken::key(std::string_view key_ref) {
    for (const KeySlot& slot : kKeySlots) {
        if (slot.id != key_ref) continue;
        auto access = channel_->exclusive();
        select();
        return read_key(slot);
    }
    return std::nullopt;
}

std::optional<std::string> PivToken::card_serial() {
    if (!serial_) {
        auto access = channel_->exclusive();
        select();
        const apdu::ResponseApdu r = exchange(get_data_command(kTagChuid));
        std::optional<std::string> serial;
        if (r.ok()) {
            try {
                serial = card_serial_from_chuid(parse_chuid(r.data));
            } catch (const apdu::MalformedResponse& e) {
                log::warning(std::string("PIV CHUID: ") + e.what());
            }
        }
        serial_ = serial;
    }
    return *serial_;
}

card::PinStatus PivToken::pin_status() {
    auto access = channel_->exclusive();
    select();
    const apdu::ResponseApdu r = exchange(verify_command(nullptr));  // empty VERIFY: a query
    const PinState state = interpret_verify_status(r.sw);
    card::PinStatus status;
    status.tries_left = state.tries_left;
    status.blocked = state.kind == PinState::Kind::Blocked;
    return status;
}

std::unique_ptr<card::TokenSession> PivToken::open_session() {
    auto access = channel_->exclusive();
    select();
    return std::make_unique<PivSession>(*this, std::move(access));
}

}  // namespace pkibridge::host::piv
