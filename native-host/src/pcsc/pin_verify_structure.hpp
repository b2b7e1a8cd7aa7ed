// The PC/SC part 10 PIN_VERIFY_STRUCTURE that asks a PIN-pad reader to collect a PIN and
// send it to the card inside a VERIFY command (FEATURE_VERIFY_PIN_DIRECT).
#pragma once

#include <cstdint>

#include "core/secure_bytes.hpp"

namespace pkibridge::host::pcsc {

struct PinPadVerifyRequest {
    // The VERIFY command with the PIN block filled with padding (the reader writes the
    // digits in from the left), e.g. PIV: 00 20 00 80 08 FF*8.
    SecureBytes verify_apdu;
    std::uint8_t min_digits = 6;
    std::uint8_t max_digits = 8;
    std::uint8_t block_size = 8;       // PIN block bytes after formatting
    std::uint8_t timeout_seconds = 0;  // 0 = the reader's default
    std::uint16_t language = 0x0409;
};

// Serialises the structure (little-endian multi-byte fields, packed) for SCardControl.
// ASCII digits, left-justified, no PIN length field. Throws std::invalid_argument when the
// APDU is shorter than its 5-byte header.
SecureBytes build_pin_verify_structure(const PinPadVerifyRequest& request);

}  // namespace pkibridge::host::pcsc
