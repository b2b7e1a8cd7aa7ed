// The error codes of the native messaging protocol (docs/native-messaging-protocol.md).
#pragma once

#include <string_view>

namespace pkibridge::host::protocol {

enum class ErrorCode {
    BadRequest,
    TooLarge,
    UnknownCommand,
    OriginNotAllowed,
    PcscUnavailable,
    NoReader,
    NoCard,
    CardRemoved,
    UnsupportedCard,
    CertificateNotFound,
    PinIncorrect,
    PinBlocked,
    PinFormat,
    UserCancelled,
    Timeout,
    Busy,
    CardError,
    Internal,
};

std::string_view error_code_name(ErrorCode code) noexcept;  // "ERR_BAD_REQUEST", ...

}  // namespace pkibridge::host::protocol
