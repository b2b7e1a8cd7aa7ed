// The PIV card driver (NIST SP 800-73-4): certificates from GET DATA, PIN through VERIFY,
// signatures through GENERAL AUTHENTICATE. Every operation runs inside one exclusive
// access and selects the PIV application first, since other applications share the card.
#pragma once

#include <memory>

#include "apdu/apdu_exchanger.hpp"
#include "card/card_channel.hpp"
#include "card/token.hpp"
#include "piv/piv_constants.hpp"

namespace pkibridge::host::piv {

class PivToken : public card::Token {
public:
    // nullptr when the card has no PIV application (the channel is then dropped).
    static std::unique_ptr<PivToken> open(std::unique_ptr<card::CardChannel> channel);

    const card::TokenDescription& description() const override { return description_; }
    std::vector<card::TokenKey> keys() override;
    std::optional<card::TokenKey> key(std::string_view key_ref) override;
    std::optional<std::string> card_serial() override;
    card::PinPolicy pin_policy() const override { return card::PinPolicy{6, 8, true}; }
    card::PinStatus pin_status() override;
    void ensure_present() override { (void)channel_->atr(); }
    std::unique_ptr<card::TokenSession> open_session() override;

    // Used by the session (same translation unit family; not for other callers).
    apdu::ResponseApdu exchange(const apdu::CommandApdu& command) {
        return exchanger_.exchange(command);
    }
    card::CardChannel& channel() { return *channel_; }
    void select();  // throws CardError(UnsupportedCard) when the application is missing

private:
    explicit PivToken(std::unique_ptr<card::CardChannel> channel);
    std::optional<card::TokenKey> read_key(const KeySlot& slot);

    std::unique_ptr<card::CardChannel> channel_;
    apdu::ApduExchanger exchanger_;
    card::TokenDescription description_;
    std::optional<std::optional<std::string>> serial_;  // read once
};

}  // namespace pkibridge::host::piv
