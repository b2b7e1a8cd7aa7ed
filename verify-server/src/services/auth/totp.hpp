// RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits: what
// authenticator apps expect) with liboath, the otpauth:// URI they scan, and the QR code
// of that URI as SVG (libqrencode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pkibridge::server {

inline constexpr unsigned kTotpStepSeconds = 30;
inline constexpr unsigned kTotpDigits = 6;

// RFC 4648 base32 (upper case, with padding stripped) of raw bytes, and back; decode
// returns nullopt on malformed input.
std::string base32_encode(std::string_view raw);
std::optional<std::string> base32_decode(std::string_view text);

// The code for the step containing `now`.
std::string totp_code(std::string_view raw_secret, std::int64_t now, unsigned digits = kTotpDigits);
// The time step (now / 30, +-window) whose code equals `code`, or nullopt.
std::optional<std::int64_t> totp_match(std::string_view raw_secret, std::int64_t now,
                                       std::string_view code, unsigned window = 1,
                                       unsigned digits = kTotpDigits);

// otpauth://totp/ISSUER:LABEL?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view label,
                        std::string_view secret_base32);

// The QR code (error correction M) of `text` as a standalone SVG document: one path of
// unit squares, a 4-module quiet zone, scaled by the viewer.
std::string qr_svg(std::string_view text);

}  // namespace pkibridge::server
