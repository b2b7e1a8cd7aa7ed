// Every PC/SC status becomes a PcscError with a failure kind the layers above can act on.
#pragma once

#include <winscard.h>

#include <string>
#include <string_view>

#include "core/host_error.hpp"

namespace pkibridge::host::pcsc {

enum class PcscFailure {
    ServiceUnavailable,  // pcscd is not running or stopped during the call
    NoReaders,           // no reader is connected
    NoCard,              // the reader is empty
    CardRemoved,         // the card was removed (or went away) while we used it
    CardReset,           // another application reset the card
    ReaderUnavailable,   // the reader was unplugged or is unknown
    SharingViolation,    // another application holds the card exclusively
    Timeout,             // a PC/SC wait expired
    Cancelled,           // SCardCancel ended a wait
    UnresponsiveCard,    // the card does not answer (mute, unpowered, protocol mismatch)
    NotSupported,        // the reader does not support a control code or feature
    Other,               // anything else (the message carries the PC/SC code)
};

std::string_view failure_name(PcscFailure failure) noexcept;

// The failure kind of a PC/SC return value (must not be SCARD_S_SUCCESS).
PcscFailure classify(LONG rv) noexcept;

class PcscError : public HostError {
public:
    PcscError(PcscFailure failure, LONG rv, const std::string& message)
        : HostError(message), failure_(failure), rv_(rv) {}
    PcscFailure failure() const noexcept { return failure_; }
    LONG code() const noexcept { return rv_; }

private:
    PcscFailure failure_;
    LONG rv_;
};

// Throws PcscError for `rv` with "<what>: <PC/SC text> (0x...)".
[[noreturn]] void throw_pcsc(LONG rv, std::string_view what);

// Throws when rv is not SCARD_S_SUCCESS.
inline void check(LONG rv, std::string_view what) {
    if (rv != SCARD_S_SUCCESS) throw_pcsc(rv, what);
}

}  // namespace pkibridge::host::pcsc
