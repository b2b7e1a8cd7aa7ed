// Typed errors of the server. Services throw ServiceError with a stable machine-readable
// code and a kind; only the HTTP layer turns the kind into a status code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace pkibridge::server {

enum class ErrorKind {
    BadRequest,       // the request is malformed (shape, encoding, syntax)
    Unauthenticated,  // the caller could not be authenticated (bad signature, certificate)
    Forbidden,        // authenticated or well-formed, but not allowed
    NotFound,
    Conflict,  // state conflict: replayed nonce, duplicate account
    TooLarge,
    UnsupportedMediaType,
    TooManyRequests,  // a rate limit was hit (429)
    Unavailable,      // temporarily unable (capacity, database busy)
    Internal,
};

std::string_view error_kind_name(ErrorKind kind) noexcept;

class ServiceError : public std::runtime_error {
public:
    ServiceError(ErrorKind kind, std::string code, const std::string& message)
        : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
    ErrorKind kind() const noexcept { return kind_; }
    const std::string& code() const noexcept { return code_; }

private:
    ErrorKind kind_;
    std::string code_;
};

// Invalid configuration or command-line options; the message names the key.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace pkibridge::server
