// Stable certificate ids: "<sha256 of the certificate, hex>:<driver>:<key reference>",
// e.g. "3f…a1:piv:9c". Stable across readers and sessions, unique per slot.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "card/token.hpp"

namespace pkibridge::host::commands {

struct CertificateIdParts {
    std::string fingerprint;  // 64 lowercase hex digits
    std::string driver;       // "piv", "pkcs11"
    std::string key_ref;      // "9c"
};

std::string make_certificate_id(const card::Token& token, const card::TokenKey& key);
std::string driver_name(const card::Token& token);  // lowercase card type
// nullopt when `id` does not have the form above.
std::optional<CertificateIdParts> parse_certificate_id(std::string_view id);

}  // namespace pkibridge::host::commands
