// NIST SP 800-73-4 constants used by the PIV driver.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pkibridge::host::piv {

// PIV application identifier (the version-independent prefix; cards answer with the full AID).
inline constexpr std::array<std::uint8_t, 9> kPivAid = {0xA0, 0x00, 0x00, 0x03, 0x08,
                                                        0x00, 0x00, 0x10, 0x00};

inline constexpr std::uint8_t kInsSelect = 0xA4;
inline constexpr std::uint8_t kInsGetData = 0xCB;
inline constexpr std::uint8_t kInsVerify = 0x20;
inline constexpr std::uint8_t kInsGeneralAuthenticate = 0x87;

inline constexpr std::uint8_t kPinReference = 0x80;  // the PIV Card Application PIN
inline constexpr std::size_t kPinBlockSize = 8;      // PIN padded with 0xFF to 8 bytes

inline constexpr std::uint32_t kTagChuid = 0x5FC102;

// Algorithm identifiers (SP 800-78-4 table 6-2; 3072/4096 as SP 800-73-5 / common cards).
inline constexpr std::uint8_t kAlgRsa1024 = 0x06;
inline constexpr std::uint8_t kAlgRsa2048 = 0x07;
inline constexpr std::uint8_t kAlgRsa3072 = 0x05;
inline constexpr std::uint8_t kAlgRsa4096 = 0x16;
inline constexpr std::uint8_t kAlgEccP256 = 0x11;
inline constexpr std::uint8_t kAlgEccP384 = 0x14;

struct KeySlot {
    std::uint8_t key_ref;      // 9A, 9C, 9D, 9E
    std::uint32_t object_tag;  // certificate data object
    std::string_view name;
    std::string_view id;  // key reference as used in certificate ids: "9a"
};

inline constexpr std::array<KeySlot, 4> kKeySlots = {{
    {0x9A, 0x5FC105, "PIV Authentication", "9a"},
    {0x9C, 0x5FC10A, "Digital Signature", "9c"},
    {0x9D, 0x5FC10B, "Key Management", "9d"},
    {0x9E, 0x5FC101, "Card Authentication", "9e"},
}};

}  // namespace pkibridge::host::piv
