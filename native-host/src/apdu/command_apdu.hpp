// ISO 7816-4 command APDUs in short form, and command chaining for data over 255 bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/secure_bytes.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::apdu {

inline constexpr std::size_t kMaxShortData = 255;
inline constexpr std::size_t kMaxShortLe = 256;  // encoded as Le = 00

struct CommandApdu {
    std::uint8_t cla = 0x00;
    std::uint8_t ins = 0;
    std::uint8_t p1 = 0;
    std::uint8_t p2 = 0;
    SecureBytes data;               // may hold a PIN: wiped when released
    std::optional<std::size_t> le;  // expected length, 1..256 (256 = "as much as there is")
};

// The short encoding CLA INS P1 P2 [Lc data] [Le]. Throws std::invalid_argument when the
// data is over 255 bytes or Le is outside 1..256.
SecureBytes encode_short(const CommandApdu& command);

// Splits a command whose data exceeds `chunk` bytes into a chain: every part but the last has
// CLA bit 0x10 set and no Le. A command that fits is returned unchanged (one element).
std::vector<CommandApdu> chain_command(const CommandApdu& command,
                                       std::size_t chunk = kMaxShortData);

}  // namespace pkibridge::host::apdu
