// One command/response exchange with a card, as the reader transports it.
#pragma once

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::apdu {

class ApduChannel {
public:
    virtual ~ApduChannel() = default;
    // Sends one encoded command APDU and returns the raw response (data + SW1 SW2).
    virtual pkcs::Bytes transmit(pkcs::ByteView command) = 0;
};

}  // namespace pkibridge::host::apdu
