// Typed errors of the PKCS library. Callers translate them to protocol or HTTP errors
// only at their own boundary.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace pkibridge::pkcs {

enum class ErrorCode {
    InvalidArgument,  // the caller passed something unusable (bad option, wrong key type)
    Io,               // a file could not be read or written
    Malformed,        // input is not valid PEM/DER/base64/ASN.1 of the expected kind
    Unsupported,      // valid input that this library does not handle (algorithm, key type)
    Crypto,           // an OpenSSL operation failed unexpectedly
    NotFound,         // a looked-up object does not exist
    Internal,         // a bug: an invariant did not hold
};

// Stable machine-readable name, e.g. "malformed".
std::string_view error_code_name(ErrorCode code) noexcept;

class PkcsError : public std::runtime_error {
public:
    PkcsError(ErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }
    std::string_view code_name() const noexcept { return error_code_name(code_); }

private:
    ErrorCode code_;
};

}  // namespace pkibridge::pkcs
