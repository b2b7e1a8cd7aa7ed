// One exclusive PIV session: VERIFY then GENERAL AUTHENTICATE; on destruction the PIN's
// security status is reset (VERIFY P1=FF, or a card reset if the card refuses that).
#pragma once

#include "card/card_channel.hpp"
#include "card/token.hpp"
#include "piv/piv_token.hpp"
#include "piv/signature_input.hpp"

namespace pkibridge::host::piv {

class PivSession : public card::TokenSession {
public:
    PivSession(PivToken& token, std::unique_ptr<card::ExclusiveAccess> access);
    ~PivSession() override;

    void login(const pkcs::SecretString* pin) override;
    pkcs::Bytes sign_digest(const card::TokenKey& key, pkcs::ByteView digest,
                            pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme) override;

private:
    void verify_typed_pin(const pkcs::SecretString& pin);
    apdu::ResponseApdu verify_on_pin_pad();

    PivToken& token_;
    std::unique_ptr<card::ExclusiveAccess> access_;
    bool pin_sent_ = false;
};

}  // namespace pkibridge::host::piv
