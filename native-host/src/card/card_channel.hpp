// What a card driver needs from the reader a card sits in. PC/SC implements it
// (PcscCardChannel); tests can put an in-process card behind it.
#pragma once

#include <memory>
#include <string>

#include "apdu/apdu_channel.hpp"
#include "apdu/response_apdu.hpp"
#include "pcsc/pin_verify_structure.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::card {

// Exclusive access to the card for a multi-APDU operation, released on destruction.
class ExclusiveAccess {
public:
    virtual ~ExclusiveAccess() = default;
    // Reset the card when access ends, wiping its security state (a verified PIN).
    virtual void reset_card_at_end() noexcept = 0;
};

class CardChannel : public apdu::ApduChannel {
public:
    virtual const std::string& reader_name() const = 0;
    virtual pkcs::Bytes atr() = 0;  // throws when the card is gone
    virtual std::unique_ptr<ExclusiveAccess> exclusive() = 0;
    virtual bool has_pin_pad() = 0;
    // Lets the reader collect the PIN and send the VERIFY; returns the card's answer.
    virtual apdu::ResponseApdu verify_on_pin_pad(const pcsc::PinPadVerifyRequest& request) = 0;
};

}  // namespace pkibridge::host::card
