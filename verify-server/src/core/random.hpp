// Unpredictable identifiers (nonces, session ids) and the hashes under which they are stored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pkibridge::server {

// `bytes` bytes from OpenSSL's CSPRNG, base64url without padding (32 bytes -> 43 chars).
std::string random_token(std::size_t bytes = 32);

// Lowercase hex SHA-256 of the text: how session ids are kept server-side.
std::string sha256_hex(std::string_view text);

// Constant-time comparison (CRYPTO_memcmp) for secrets such as the admin token.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace pkibridge::server
