#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::pkcs {

std::string_view error_code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidArgument:
            return "invalid-argument";
        case ErrorCode::Io:
            return "io";
        case ErrorCode::Malformed:
            return "malformed";
        case ErrorCode::Unsupported:
            return "unsupported";
        case ErrorCode::Crypto:
            return "crypto";
        case ErrorCode::NotFound:
            return "not-found";
        case ErrorCode::Internal:
            return "internal";
    }
    return "internal";
}

}  // namespace pkibridge::pkcs
