#include "core/errors.hpp"

namespace pkibridge::server {

std::string_view error_kind_name(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::BadRequest:
            return "bad-request";
        case ErrorKind::Unauthenticated:
            return "unauthenticated";
        case ErrorKind::Forbidden:
            return "forbidden";
        case ErrorKind::NotFound:
            return "not-found";
        case ErrorKind::Conflict:
            return "conflict";
        case ErrorKind::TooLarge:
            return "too-large";
        case ErrorKind::UnsupportedMediaType:
            return "unsupported-media-type";
        case ErrorKind::TooManyRequests:
            return "too-many-requests";
        case ErrorKind::Unavailable:
            return "unavailable";
        case ErrorKind::Internal:
            return "internal";
    }
    return "internal";
}

}  // namespace pkibridge::server
