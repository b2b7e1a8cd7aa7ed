// Constants of the PIV card application (NIST SP 800-73-4 part 1 and 2, SP 800-78-4) and
// of the Yubico extensions that yubico-piv-tool uses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pkibridge::vcard::piv {

// A0 00 00 03 08 | 00 00 10 00 | 01 00 (RID, PIX, version)
inline constexpr std::array<std::uint8_t, 11> kAid = {0xA0, 0x00, 0x00, 0x03, 0x08, 0x00,
                                                      0x00, 0x10, 0x00, 0x01, 0x00};
// Shortest right-truncated AID accepted by SELECT (clients send the 5-byte RID or 9 bytes).
inline constexpr std::size_t kMinSelectAidLength = 5;

namespace ins {
inline constexpr std::uint8_t kSelect = 0xA4;
inline constexpr std::uint8_t kGetData = 0xCB;
inline constexpr std::uint8_t kPutData = 0xDB;
inline constexpr std::uint8_t kVerify = 0x20;
inline constexpr std::uint8_t kChangeReference = 0x24;
inline constexpr std::uint8_t kResetRetryCounter = 0x2C;
inline constexpr std::uint8_t kGeneralAuthenticate = 0x87;
inline constexpr std::uint8_t kGenerateKeyPair = 0x47;
inline constexpr std::uint8_t kGetResponse = 0xC0;
// Yubico extensions
inline constexpr std::uint8_t kSetManagementKey = 0xFF;
inline constexpr std::uint8_t kImportKey = 0xFE;
inline constexpr std::uint8_t kGetVersion = 0xFD;
inline constexpr std::uint8_t kReset = 0xFB;
inline constexpr std::uint8_t kSetPinRetries = 0xFA;
inline constexpr std::uint8_t kGetSerial = 0xF8;
}  // namespace ins

// Key references (P2 of VERIFY / GENERAL AUTHENTICATE).
inline constexpr std::uint8_t kPinReference = 0x80;
inline constexpr std::uint8_t kPukReference = 0x81;
inline constexpr std::uint8_t kManagementKeySlot = 0x9B;
inline constexpr std::uint8_t kSlotAuthentication = 0x9A;
inline constexpr std::uint8_t kSlotSignature = 0x9C;
inline constexpr std::uint8_t kSlotKeyManagement = 0x9D;
inline constexpr std::uint8_t kSlotCardAuthentication = 0x9E;
inline constexpr std::uint8_t kFirstRetiredSlot = 0x82;
inline constexpr std::uint8_t kLastRetiredSlot = 0x95;

// Cryptographic mechanism identifiers (SP 800-78-4 table 6-2, Yubico additions).
namespace alg {
inline constexpr std::uint8_t kTdesDefault = 0x00;  // "3DES" in older specifications
inline constexpr std::uint8_t kTdes = 0x03;
inline constexpr std::uint8_t kRsa3072 = 0x05;
inline constexpr std::uint8_t kRsa1024 = 0x06;
inline constexpr std::uint8_t kRsa2048 = 0x07;
inline constexpr std::uint8_t kAes128 = 0x08;
inline constexpr std::uint8_t kAes192 = 0x0A;
inline constexpr std::uint8_t kAes256 = 0x0C;
inline constexpr std::uint8_t kEccP256 = 0x11;
inline constexpr std::uint8_t kEccP384 = 0x14;
}  // namespace alg

// Data object tags (SP 800-73-4 part 1 table 3).
namespace tag {
inline constexpr std::uint32_t kCardCapabilityContainer = 0x5FC107;
inline constexpr std::uint32_t kChuid = 0x5FC102;
inline constexpr std::uint32_t kCertAuthentication = 0x5FC105;  // 9A
inline constexpr std::uint32_t kFingerprints = 0x5FC103;
inline constexpr std::uint32_t kSecurityObject = 0x5FC106;
inline constexpr std::uint32_t kFacialImage = 0x5FC108;
inline constexpr std::uint32_t kPrintedInformation = 0x5FC109;
inline constexpr std::uint32_t kCertSignature = 0x5FC10A;           // 9C
inline constexpr std::uint32_t kCertKeyManagement = 0x5FC10B;       // 9D
inline constexpr std::uint32_t kCertCardAuthentication = 0x5FC101;  // 9E
inline constexpr std::uint32_t kKeyHistory = 0x5FC10C;
inline constexpr std::uint32_t kFirstRetiredCert = 0x5FC10D;  // 82 .. 95
inline constexpr std::uint32_t kIris = 0x5FC121;
inline constexpr std::uint32_t kDiscovery = 0x7E;
inline constexpr std::uint32_t kBiometricGroupTemplate = 0x7F61;
inline constexpr std::uint32_t kYubicoAdminData = 0x5FFF00;
// TLV tags inside commands and objects
inline constexpr std::uint32_t kTagList = 0x5C;
inline constexpr std::uint32_t kDataField = 0x53;
inline constexpr std::uint32_t kDynamicAuthTemplate = 0x7C;
inline constexpr std::uint32_t kPublicKeyTemplate = 0x7F49;
inline constexpr std::uint32_t kControlReferenceTemplate = 0xAC;
}  // namespace tag

// Yubico PIN policy values (tag AA of GENERATE / IMPORT).
enum class PinPolicy : std::uint8_t { Default = 0, Never = 1, Once = 2, Always = 3 };
std::string_view pin_policy_name(PinPolicy policy) noexcept;  // "default", "never", ...
std::optional<PinPolicy> parse_pin_policy(std::string_view name) noexcept;

bool is_key_slot(std::uint8_t slot) noexcept;  // 9A 9C 9D 9E 82..95
// The certificate object of a key slot (9A -> 5FC105); nullopt for other references.
std::optional<std::uint32_t> certificate_tag_for_slot(std::uint8_t slot) noexcept;
// Default PIN policy: 9C "always" (PIN before each use), 9E "never", others "once".
PinPolicy default_pin_policy(std::uint8_t slot) noexcept;
// Objects that GET DATA returns only after PIN verification (biometrics, printed info).
bool object_requires_pin(std::uint32_t tag) noexcept;
// Objects that PUT DATA may write: every PIV object and Yubico's 5FFFxx objects.
bool object_is_writable(std::uint32_t tag) noexcept;

}  // namespace pkibridge::vcard::piv
