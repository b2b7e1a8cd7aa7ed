// Pure builders and parsers for PIV data objects and command data. No I/O here, so every
// parser can be fuzzed with arbitrary card responses; all throw apdu::MalformedResponse.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "apdu/command_apdu.hpp"
#include "core/secure_bytes.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::piv {

inline constexpr std::size_t kMaxCertificateBytes = 16 * 1024;

// SELECT the PIV application by AID.
apdu::CommandApdu select_command();
// GET DATA for the data object with `tag` (e.g. 0x5FC105).
apdu::CommandApdu get_data_command(std::uint32_t tag);
// VERIFY for the PIV PIN: with pin_block (8 bytes) to verify, without to query tries left.
apdu::CommandApdu verify_command(const SecureBytes* pin_block);
// VERIFY P1=FF: resets the PIN's security status (SP 800-73-4 3.2.1).
apdu::CommandApdu reset_verify_command();
// GENERAL AUTHENTICATE asking the key to sign `challenge`:
// 7C { 82 00, 81 challenge }.
apdu::CommandApdu general_authenticate_command(std::uint8_t algorithm, std::uint8_t key_ref,
                                               pkcs::ByteView challenge);

// The PIN block: ASCII digits padded with 0xFF to 8 bytes. The caller has checked the format.
SecureBytes pin_block(std::string_view pin);

// The certificate from a certificate data object: 53 { 70 cert, 71 CertInfo, FE LRC }.
// Decompresses gzip when CertInfo says so. Returns the DER (not checked to be X.509 here).
pkcs::Bytes parse_certificate_object(pkcs::ByteView object);

struct Chuid {
    pkcs::Bytes fascn;  // tag 30
    pkcs::Bytes guid;   // tag 34
};
// The Card Holder Unique Identifier object: 53 { 30 FASC-N, 34 GUID, ... }.
Chuid parse_chuid(pkcs::ByteView object);
// The serial to report for a card: the GUID in uppercase hex, or the FASC-N when the GUID is
// absent or all zero; nullopt when neither identifies the card.
std::optional<std::string> card_serial_from_chuid(const Chuid& chuid);

// The signature in a GENERAL AUTHENTICATE response: 7C { 82 signature }.
pkcs::Bytes parse_general_authenticate_response(pkcs::ByteView response);

// What a VERIFY status word says about the PIN.
struct PinState {
    enum class Kind { Verified, WrongOrNotVerified, Blocked, Other } kind;
    std::optional<int> tries_left;  // from 63Cx
};
PinState interpret_verify_status(std::uint16_t sw);

}  // namespace pkibridge::host::piv
