// The certificate login token made by the native host's `authenticate` command:
//   {"format": "pkibridge-auth:1", "certificate": b64 DER, "pkcs7": b64 DER CMS}
// whose CMS is attached SignedData over the UTF-8 JSON
//   {"format":"pkibridge-auth:1","origin":ORIGIN,"nonce":NONCE,"issuedAt":RFC3339}.
// Parsing only: no signature or trust decision here. Errors are ServiceError(BadRequest)
// with the codes listed in docs/server-api.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::server {

inline constexpr std::string_view kAuthTokenFormat = "pkibridge-auth:1";

struct LoginToken {
    pkcs::Bytes certificate_der;  // not yet parsed (see VerificationService::certificate)
    pkcs::Bytes cms_der;          // not yet parsed (see VerificationService::check_signature)
};

struct AuthContent {
    std::string origin;
    std::string nonce;
    std::string issued_at;  // as written; parse with parse_issued_at
};

// `token` is the value of the request's "token" member: the token object, or a string
// holding that object's JSON. Checks the JSON shape and the base64; the DER inside is
// checked by the login service (codes token-certificate-malformed, cms-malformed), which
// decodes it once for all later checks. Codes: token-malformed, token-format.
LoginToken parse_login_token(const nlohmann::json& token);

// Codes: content-malformed, content-format.
AuthContent parse_auth_content(pkcs::ByteView content);

// RFC 3339 -> Unix seconds. Code: issued-at-malformed.
std::int64_t parse_issued_at(std::string_view text);

}  // namespace pkibridge::server
