// Argon2id hashes (libsodium crypto_pwhash_str, "interactive" limits) of passwords and
// one-day check codes. The encoded string carries its own salt and parameters.
#pragma once

#include <string>
#include <string_view>

namespace pkibridge::server {

// Throws ServiceError(Internal) when libsodium cannot run (out of memory).
std::string hash_password(std::string_view secret);
// false for a wrong secret or a malformed hash.
bool verify_password_hash(const std::string& hash, std::string_view secret);

}  // namespace pkibridge::server
