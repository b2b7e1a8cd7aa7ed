// ISO 7816-4 command APDUs (short and extended form) and the status words the card uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::vcard {

using pkcs::Bytes;
using pkcs::ByteView;

namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kBytesRemaining = 0x6100;  // 61xx: GET RESPONSE
inline constexpr std::uint16_t kVerifyFailed = 0x63C0;    // 63Cx: x tries left
inline constexpr std::uint16_t kMemoryFailure = 0x6581;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kLastCommandExpected = 0x6883;
inline constexpr std::uint16_t kSecurityStatus = 0x6982;  // not verified/authenticated
inline constexpr std::uint16_t kAuthBlocked = 0x6983;     // retry counter is zero
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kNotEnoughMemory = 0x6A84;
inline constexpr std::uint16_t kWrongP1P2 = 0x6A86;
inline constexpr std::uint16_t kReferenceNotFound = 0x6A88;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kUnknown = 0x6F00;
}  // namespace sw

struct CommandApdu {
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    std::uint8_t p1 = 0;
    std::uint8_t p2 = 0;
    Bytes data;          // Nc bytes (may be empty)
    std::size_t ne = 0;  // expected response length; 0 when Le is absent
    bool le_present = false;
    bool extended = false;

    std::uint16_t p1p2() const { return static_cast<std::uint16_t>(p1 << 8 | p2); }
    bool chained() const { return (cla & 0x10) != 0; }
};

// Parses the four ISO 7816-3 cases, short and extended. Throws StatusError(0x6700) when
// the bytes are not a well-formed APDU (too short, Lc disagrees with the data, ...).
CommandApdu parse_command(ByteView raw);

// data || SW1 SW2
Bytes make_response(ByteView data, std::uint16_t status);

// "9000", "6a82": for logs and error messages.
std::string sw_hex(std::uint16_t status);

}  // namespace pkibridge::vcard
