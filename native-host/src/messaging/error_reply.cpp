#include "messaging/error_reply.hpp"

#include "apdu/apdu_error.hpp"
#include "apdu/response_apdu.hpp"
#include "card/card_error.hpp"
#include "commands/command_error.hpp"
#include "config/host_config.hpp"
#include "pcsc/pcsc_error.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "protocol/request.hpp"

namespace pkibridge::host::messaging {

using protocol::ErrorCode;

namespace {

ErrorReply from_pcsc(const pcsc::PcscError& e) {
    using pcsc::PcscFailure;
    switch (e.failure()) {
        case PcscFailure::ServiceUnavailable:
            return {ErrorCode::PcscUnavailable,
                    std::string("the smart card service is not available: ") + e.what()};
        case PcscFailure::NoReaders:
            return {ErrorCode::NoReader, e.what()};
        case PcscFailure::NoCard:
            return {ErrorCode::NoCard, e.what()};
        case PcscFailure::CardRemoved:
        case PcscFailure::ReaderUnavailable:
            return {ErrorCode::CardRemoved, std::string("the card was removed: ") + e.what()};
        case PcscFailure::CardReset:
            return {ErrorCode::CardRemoved,
                    std::string("the card was reset by another application: ") + e.what()};
        case PcscFailure::SharingViolation:
            return {ErrorCode::Busy,
                    std::string("another application is using the card: ") + e.what()};
        case PcscFailure::Timeout:
            return {ErrorCode::Timeout, e.what()};
        case PcscFailure::UnresponsiveCard:
            return {ErrorCode::CardError, e.what()};
        case PcscFailure::Cancelled:
        case PcscFailure::NotSupported:
        case PcscFailure::Other:
            break;
    }
    return {ErrorCode::Internal, e.what()};
}

ErrorReply from_card(const card::CardError& e) {
    using card::CardFailure;
    ErrorReply r{ErrorCode::CardError, e.what()};
    switch (e.failure()) {
        case CardFailure::UnsupportedCard:
        case CardFailure::UnsupportedKey:
            r.code = ErrorCode::UnsupportedCard;
            break;
        case CardFailure::KeyNotFound:
            r.code = ErrorCode::CertificateNotFound;
            break;
        case CardFailure::PinIncorrect:
            r.code = ErrorCode::PinIncorrect;
            break;
        case CardFailure::PinBlocked:
            r.code = ErrorCode::PinBlocked;
            break;
        case CardFailure::PinFormat:
            r.code = ErrorCode::PinFormat;
            break;
        case CardFailure::PinPadCancelled:
            r.code = ErrorCode::UserCancelled;
            break;
        case CardFailure::PinPadTimeout:
            r.code = ErrorCode::Timeout;
            break;
        case CardFailure::NotLoggedIn:
        case CardFailure::OperationFailed:
            r.code = ErrorCode::CardError;
            break;
    }
    if (e.tries_left()) r.details["triesLeft"] = *e.tries_left();
    if (e.status_word()) r.details["statusWord"] = apdu::sw_hex(*e.status_word());
    return r;
}

ErrorReply from_command(const commands::CommandError& e) {
    using commands::CommandFailure;
    ErrorReply r{ErrorCode::Internal, e.what(), e.details()};
    switch (e.failure()) {
        case CommandFailure::BadRequest:
            r.code = ErrorCode::BadRequest;
            break;
        case CommandFailure::OriginNotAllowed:
            r.code = ErrorCode::OriginNotAllowed;
            break;
        case CommandFailure::NoReader:
            r.code = ErrorCode::NoReader;
            break;
        case CommandFailure::NoCard:
            r.code = ErrorCode::NoCard;
            break;
        case CommandFailure::UnsupportedCard:
            r.code = ErrorCode::UnsupportedCard;
            break;
        case CommandFailure::CertificateNotFound:
            r.code = ErrorCode::CertificateNotFound;
            break;
        case CommandFailure::PinBlocked:
            r.code = ErrorCode::PinBlocked;
            break;
        case CommandFailure::Cancelled:
            r.code = ErrorCode::UserCancelled;
            break;
        case CommandFailure::Timeout:
            r.code = ErrorCode::Timeout;
            break;
        case CommandFailure::CardError:
            r.code = ErrorCode::CardError;
            break;
        case CommandFailure::ConfigInvalid:
            r.code = ErrorCode::Internal;
            break;
    }
    return r;
}

ErrorReply from_pkcs(const pkcs::PkcsError& e) {
    switch (e.code()) {
        case pkcs::ErrorCode::InvalidArgument:
            return {ErrorCode::BadRequest, e.what()};
        case pkcs::ErrorCode::Unsupported:
            return {ErrorCode::UnsupportedCard, e.what()};
        default:
            return {ErrorCode::Internal, e.what(), {{"reason", std::string(e.code_name())}}};
    }
}

}  // namespace

ErrorReply error_reply_for(std::exception_ptr error) noexcept {
    try {
        try {
            std::rethrow_exception(error);
        } catch (const protocol::RequestError& e) {
            return {e.code(), e.what()};
        } catch (const commands::CommandError& e) {
            return from_command(e);
        } catch (const pcsc::PcscError& e) {
            return from_pcsc(e);
        } catch (const card::CardError& e) {
            return from_card(e);
        } catch (const apdu::MalformedResponse& e) {
            return {ErrorCode::CardError,
                    std::string("the card sent a malformed response: ") + e.what()};
        } catch (const config::ConfigError& e) {
            return {ErrorCode::Internal, std::string("host configuration invalid: ") + e.what()};
        } catch (const pkcs::PkcsError& e) {
            return from_pkcs(e);
        } catch (const std::bad_alloc&) {
            return {ErrorCode::Internal, "out of memory"};
        } catch (const std::exception& e) {
            return {ErrorCode::Internal, std::string("internal error: ") + e.what()};
        } catch (...) {
            return {ErrorCode::Internal, "internal error"};
        }
    } catch (...) {
        return {ErrorCode::Internal, "internal error"};
    }
}

nlohmann::json error_message(const nlohmann::json& id, const ErrorReply& error) {
    nlohmann::json body = error.details.is_object() ? error.details : nlohmann::json::object();
    body["code"] = protocol::error_code_name(error.code);
    body["message"] = error.message;
    return {{"id", id}, {"error", std::move(body)}};
}

nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result) {
    return {{"id", id}, {"result", std::move(result)}};
}

}  // namespace pkibridge::host::messaging
