// Test support: builds pkibridge-auth:1 login tokens with the real signing code
// (pkcs::cms_sign with a software key), optionally tampered, for the server's tests and
// benchmark. Never part of the server.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/cms_sign.hpp"

namespace pkibridge::testing {

pkcs::EvpPkeyPtr load_private_key(const std::filesystem::path& path);

struct MintOptions {
    std::string origin;
    std::string nonce;
    std::optional<std::string> issued_at;  // RFC 3339; default now
    std::string token_format = "pkibridge-auth:1";
    std::string content_format = "pkibridge-auth:1";
    std::optional<std::string> raw_content;  // sign exactly these bytes instead
    // "content": change the signed content after signing (valid JSON, same fields);
    // "signature": flip a bit of the signature value.
    std::optional<std::string> tamper;
    std::optional<pkcs::Certificate> token_certificate;  // put this one in "certificate"
    std::vector<pkcs::Certificate> chain;                // embed in the CMS
    bool detached = false;
};

std::string auth_content(const MintOptions& options);

// The token object {"format", "certificate", "pkcs7"}.
nlohmann::json mint_token(const pkcs::ExternalSigner& signer, const MintOptions& options);

}  // namespace pkibridge::testing
