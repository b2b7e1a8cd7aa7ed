// Typed, validated arguments of each command. Parsing is pure and throws
// RequestError(BadRequest) naming the argument; unknown arguments are rejected.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::protocol {

enum class SignFormat { CmsAttached, CmsDetached, Raw };

struct SignArguments {
    std::string certificate_id;
    std::optional<pkcs::Bytes> data;  // exactly one of data and hash
    std::optional<pkcs::Bytes> hash;
    pkcs::HashAlgorithm hash_algorithm = pkcs::HashAlgorithm::Sha256;
    SignFormat format = SignFormat::CmsAttached;
    std::optional<pkcs::SignatureScheme> scheme;  // RSA only: rsa-pkcs1 (default) or rsa-pss
    std::optional<pkcs::Bytes> nonce;             // CMS randomNonce attribute
    bool include_card_serial = false;
    bool include_chain = false;
};

struct AuthenticateArguments {
    std::optional<std::string> certificate_id;
    std::string nonce;  // base64url, 32..128 characters, as the server issued it
};

struct PinArguments {
    nlohmann::json request_id;
    pkcs::SecretString pin;
};

struct CancelArguments {
    std::optional<nlohmann::json> request_id;  // none: whatever request is running
};

inline constexpr std::size_t kMinAuthNonce = 32;
inline constexpr std::size_t kMaxAuthNonce = 128;
inline constexpr std::size_t kMaxSignNonce = 64;  // bytes

// `id` goes into the RequestError so the reply can carry it.
SignArguments parse_sign_arguments(const nlohmann::json& args, const nlohmann::json& id);
AuthenticateArguments parse_authenticate_arguments(const nlohmann::json& args,
                                                   const nlohmann::json& id);
PinArguments parse_pin_arguments(nlohmann::json& args,
                                 const nlohmann::json& id);  // wipes the PIN in args
CancelArguments parse_cancel_arguments(const nlohmann::json& args, const nlohmann::json& id);
void parse_no_arguments(const nlohmann::json& args, const nlohmann::json& id, const char* command);

}  // namespace pkibridge::host::protocol
