#include "pcsc/pcsc_error.hpp"

#include <pcsclite.h>

#include <cstdio>

namespace pkibridge::host::pcsc {

std::string_view failure_name(PcscFailure failure) noexcept {
    switch (failure) {
        case PcscFailure::ServiceUnavailable:
            return "service-unavailable";
        case PcscFailure::NoReaders:
            return "no-readers";
        case PcscFailure::NoCard:
            return "no-card";
        case PcscFailure::CardRemoved:
            return "card-removed";
        case PcscFailure::CardReset:
            return "card-reset";
        case PcscFailure::ReaderUnavailable:
            return "reader-unavailable";
        case PcscFailure::SharingViolation:
            return "sharing-violation";
        case PcscFailure::Timeout:
            return "timeout";
        case PcscFailure::Cancelled:
            return "cancelled";
        case PcscFailure::UnresponsiveCard:
            return "unresponsive-card";
        case PcscFailure::NotSupported:
            return "not-supported";
        case PcscFailure::Other:
            return "other";
    }
    return "other";
}

PcscFailure classify(LONG rv) noexcept {
    switch (static_cast<unsigned long>(rv)) {
        case SCARD_E_NO_SERVICE:
        case SCARD_E_SERVICE_STOPPED:
        case SCARD_F_COMM_ERROR:
        case SCARD_E_INVALID_HANDLE:  // handles die with the pcscd that issued them
            return PcscFailure::ServiceUnavailable;
        case SCARD_E_NO_READERS_AVAILABLE:
            return PcscFailure::NoReaders;
        case SCARD_E_NO_SMARTCARD:
            return PcscFailure::NoCard;
        case SCARD_W_REMOVED_CARD:
            return PcscFailure::CardRemoved;
        case SCARD_W_RESET_CARD:
            return PcscFailure::CardReset;
        case SCARD_E_READER_UNAVAILABLE:
        case SCARD_E_UNKNOWN_READER:
            return PcscFailure::ReaderUnavailable;
        case SCARD_E_SHARING_VIOLATION:
            return PcscFailure::SharingViolation;
        case SCARD_E_TIMEOUT:
            return PcscFailure::Timeout;
        case SCARD_E_CANCELLED:
            return PcscFailure::Cancelled;
        case SCARD_W_UNRESPONSIVE_CARD:
        case SCARD_W_UNPOWERED_CARD:
        case SCARD_W_UNSUPPORTED_CARD:
        case SCARD_E_PROTO_MISMATCH:
        case SCARD_E_NOT_TRANSACTED:
        case SCARD_F_UNKNOWN_ERROR:
            return PcscFailure::UnresponsiveCard;
        case SCARD_E_UNSUPPORTED_FEATURE:  // same value as SCARD_E_UNEXPECTED in pcsc-lite
            return PcscFailure::NotSupported;
        default:
            return PcscFailure::Other;
    }
}

void throw_pcsc(LONG rv, std::string_view what) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%08lX", static_cast<unsigned long>(rv) & 0xFFFFFFFFUL);
    throw PcscError(classify(rv), rv,
                    std::string(what) + ": " + pcsc_stringify_error(rv) + " (" + code + ")");
}

}  // namespace pkibridge::host::pcsc
