#include "protocol/error_code.hpp"

namespace pkibridge::host::protocol {

std::string_view error_code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::BadRequest:
            return "ERR_BAD_REQUEST";
        case ErrorCode::TooLarge:
            return "ERR_TOO_LARGE";
        case ErrorCode::UnknownCommand:
            return "ERR_UNKNOWN_COMMAND";
        case ErrorCode::OriginNotAllowed:
            return "ERR_ORIGIN_NOT_ALLOWED";
        case ErrorCode::PcscUnavailable:
            return "ERR_PCSC_UNAVAILABLE";
        case ErrorCode::NoReader:
            return "ERR_NO_READER";
        case ErrorCode::NoCard:
            return "ERR_NO_CARD";
        case ErrorCode::CardRemoved:
            return "ERR_CARD_REMOVED";
        case ErrorCode::UnsupportedCard:
            return "ERR_UNSUPPORTED_CARD";
        case ErrorCode::CertificateNotFound:
            return "ERR_CERTIFICATE_NOT_FOUND";
        case ErrorCode::PinIncorrect:
            return "ERR_PIN_INCORRECT";
        case ErrorCode::PinBlocked:
            return "ERR_PIN_BLOCKED";
        case ErrorCode::PinFormat:
            return "ERR_PIN_FORMAT";
        case ErrorCode::UserCancelled:
            return "ERR_USER_CANCELLED";
        case ErrorCode::Timeout:
            return "ERR_TIMEOUT";
        case ErrorCode::Busy:
            return "ERR_BUSY";
        case ErrorCode::CardError:
            return "ERR_CARD_ERROR";
        case ErrorCode::Internal:
            return "ERR_INTERNAL";
    }
    return "ERR_INTERNAL";
}

}  // namespace pkibridge::host::protocol
