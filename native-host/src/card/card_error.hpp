// Errors of the card drivers (PIV today, PKCS#11 modules later).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/host_error.hpp"

namespace pkibridge::host::card {

enum class CardFailure {
    UnsupportedCard,  // no driver understands this card
    KeyNotFound,      // no certificate / key under the requested reference
    UnsupportedKey,   // the key's algorithm or size is not one the driver can use
    PinIncorrect,     // wrong PIN; tries_left says how many remain
    PinBlocked,       // no tries left; the card must be unblocked
    PinFormat,        // the PIN does not have the card's format (checked before sending)
    PinPadCancelled,  // the user cancelled entry on the reader's PIN pad
    PinPadTimeout,    // nobody typed on the PIN pad in time
    NotLoggedIn,      // the card refused a private-key operation for lack of PIN verification
    OperationFailed,  // the card answered an unexpected status word
};

class CardError : public HostError {
public:
    CardError(CardFailure failure, const std::string& message,
              std::optional<int> tries_left = std::nullopt,
              std::optional<std::uint16_t> status_word = std::nullopt)
        : HostError(message), failure_(failure), tries_left_(tries_left), sw_(status_word) {}
    CardFailure failure() const noexcept { return failure_; }
    std::optional<int> tries_left() const noexcept { return tries_left_; }
    std::optional<std::uint16_t> status_word() const noexcept { return sw_; }

private:
    CardFailure failure_;
    std::optional<int> tries_left_;
    std::optional<std::uint16_t> sw_;
};

}  // namespace pkibridge::host::card
