#include "pkcs11/ck_error.hpp"

#include <cstdio>

#include "card/card_error.hpp"
#include "pcsc/pcsc_error.hpp"

namespace pkibridge::host::pkcs11 {
namespace {

const char* known_name(CK_RV rv) {
    switch (rv) {
        case CKR_OK:
            return "CKR_OK";
        case CKR_CANCEL:
            return "CKR_CANCEL";
        case CKR_HOST_MEMORY:
            return "CKR_HOST_MEMORY";
        case CKR_SLOT_ID_INVALID:
            return "CKR_SLOT_ID_INVALID";
        case CKR_GENERAL_ERROR:
            return "CKR_GENERAL_ERROR";
        case CKR_FUNCTION_FAILED:
            return "CKR_FUNCTION_FAILED";
        case CKR_ARGUMENTS_BAD:
            return "CKR_ARGUMENTS_BAD";
        case CKR_CANT_LOCK:
            return "CKR_CANT_LOCK";
        case CKR_ATTRIBUTE_TYPE_INVALID:
            return "CKR_ATTRIBUTE_TYPE_INVALID";
        case CKR_DATA_LEN_RANGE:
            return "CKR_DATA_LEN_RANGE";
        case CKR_DEVICE_ERROR:
            return "CKR_DEVICE_ERROR";
        case CKR_DEVICE_MEMORY:
            return "CKR_DEVICE_MEMORY";
        case CKR_DEVICE_REMOVED:
            return "CKR_DEVICE_REMOVED";
        case CKR_FUNCTION_CANCELED:
            return "CKR_FUNCTION_CANCELED";
        case CKR_FUNCTION_NOT_SUPPORTED:
            return "CKR_FUNCTION_NOT_SUPPORTED";
        case CKR_KEY_HANDLE_INVALID:
            return "CKR_KEY_HANDLE_INVALID";
        case CKR_KEY_TYPE_INCONSISTENT:
            return "CKR_KEY_TYPE_INCONSISTENT";
        case CKR_KEY_FUNCTION_NOT_PERMITTED:
            return "CKR_KEY_FUNCTION_NOT_PERMITTED";
        case CKR_MECHANISM_INVALID:
            return "CKR_MECHANISM_INVALID";
        case CKR_MECHANISM_PARAM_INVALID:
            return "CKR_MECHANISM_PARAM_INVALID";
        case CKR_OBJECT_HANDLE_INVALID:
            return "CKR_OBJECT_HANDLE_INVALID";
        case CKR_OPERATION_ACTIVE:
            return "CKR_OPERATION_ACTIVE";
        case CKR_PIN_INCORRECT:
            return "CKR_PIN_INCORRECT";
        case CKR_PIN_INVALID:
            return "CKR_PIN_INVALID";
        case CKR_PIN_LEN_RANGE:
            return "CKR_PIN_LEN_RANGE";
        case CKR_PIN_EXPIRED:
            return "CKR_PIN_EXPIRED";
        case CKR_PIN_LOCKED:
            return "CKR_PIN_LOCKED";
        case CKR_SESSION_CLOSED:
            return "CKR_SESSION_CLOSED";
        case CKR_SESSION_COUNT:
            return "CKR_SESSION_COUNT";
        case CKR_SESSION_HANDLE_INVALID:
            return "CKR_SESSION_HANDLE_INVALID";
        case CKR_TOKEN_NOT_PRESENT:
            return "CKR_TOKEN_NOT_PRESENT";
        case CKR_TOKEN_NOT_RECOGNIZED:
            return "CKR_TOKEN_NOT_RECOGNIZED";
        case CKR_USER_ALREADY_LOGGED_IN:
            return "CKR_USER_ALREADY_LOGGED_IN";
        case CKR_USER_NOT_LOGGED_IN:
            return "CKR_USER_NOT_LOGGED_IN";
        case CKR_USER_PIN_NOT_INITIALIZED:
            return "CKR_USER_PIN_NOT_INITIALIZED";
        case CKR_USER_TYPE_INVALID:
            return "CKR_USER_TYPE_INVALID";
        case CKR_BUFFER_TOO_SMALL:
            return "CKR_BUFFER_TOO_SMALL";
        case CKR_CRYPTOKI_NOT_INITIALIZED:
            return "CKR_CRYPTOKI_NOT_INITIALIZED";
        case CKR_CRYPTOKI_ALREADY_INITIALIZED:
            return "CKR_CRYPTOKI_ALREADY_INITIALIZED";
        default:
            return nullptr;
    }
}

}  // namespace

std::string rv_name(CK_RV rv) {
    char code[32];
    std::snprintf(code, sizeof code, "0x%lx", static_cast<unsigned long>(rv));
    const char* name = known_name(rv);
    return name ? std::string(name) + " (" + code + ")" : std::string("CK_RV ") + code;
}

bool token_gone(CK_RV rv) noexcept {
    switch (rv) {
        case CKR_DEVICE_REMOVED:
        case CKR_TOKEN_NOT_PRESENT:
        case CKR_TOKEN_NOT_RECOGNIZED:
        case CKR_SESSION_HANDLE_INVALID:
        case CKR_SESSION_CLOSED:
        case CKR_SLOT_ID_INVALID:
            return true;
        default:
            return false;
    }
}

void throw_rv(CK_RV rv, std::string_view what) {
    using card::CardError;
    using card::CardFailure;
    const std::string message = std::string(what) + ": " + rv_name(rv);
    if (token_gone(rv))
        throw pcsc::PcscError(pcsc::PcscFailure::CardRemoved, SCARD_W_REMOVED_CARD, message);
    switch (rv) {
        case CKR_PIN_INCORRECT:
            throw CardError(CardFailure::PinIncorrect, "the PIN is incorrect");
        case CKR_PIN_LOCKED:
            throw CardError(CardFailure::PinBlocked, "the PIN is blocked", 0);
        case CKR_PIN_LEN_RANGE:
        case CKR_PIN_INVALID:
            throw CardError(CardFailure::PinFormat,
                            "the token rejected the PIN's format (" + rv_name(rv) + ")");
        case CKR_FUNCTION_CANCELED:
            throw CardError(CardFailure::PinPadCancelled, "PIN entry was cancelled");
        case CKR_USER_NOT_LOGGED_IN:
            throw CardError(CardFailure::NotLoggedIn, message);
        case CKR_MECHANISM_INVALID:
        case CKR_MECHANISM_PARAM_INVALID:
        case CKR_KEY_TYPE_INCONSISTENT:
        case CKR_KEY_FUNCTION_NOT_PERMITTED:
            throw CardError(CardFailure::UnsupportedKey, message);
        case CKR_KEY_HANDLE_INVALID:
        case CKR_OBJECT_HANDLE_INVALID:
            throw CardError(CardFailure::KeyNotFound, message);
        default:
            throw CardError(CardFailure::OperationFailed, message);
    }
}

}  // namespace pkibridge::host::pkcs11
