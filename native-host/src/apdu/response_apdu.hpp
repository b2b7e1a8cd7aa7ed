// Response APDUs: data followed by the two status bytes SW1 SW2.
#pragma once

#include <cstdint>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::apdu {

struct ResponseApdu {
    pkcs::Bytes data;
    std::uint16_t sw = 0;

    std::uint8_t sw1() const { return static_cast<std::uint8_t>(sw >> 8); }
    std::uint8_t sw2() const { return static_cast<std::uint8_t>(sw & 0xFF); }
    bool ok() const { return sw == 0x9000; }
};

// Splits raw response bytes; throws MalformedResponse when fewer than two bytes arrived.
ResponseApdu parse_response(pkcs::ByteView raw);

// "6A82" style text for logs and error messages.
std::string sw_hex(std::uint16_t sw);

}  // namespace pkibridge::host::apdu
