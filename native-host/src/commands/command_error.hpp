// Errors decided by the command layer itself (as opposed to PC/SC or card errors passing
// through it). Details are extra members for the protocol error object.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/host_error.hpp"

namespace pkibridge::host::commands {

enum class CommandFailure {
    BadRequest,           // arguments that make no sense together or for this key
    OriginNotAllowed,     // the origin is not in the allow-list (the card was not touched)
    NoReader,             // no reader connected
    NoCard,               // readers, but no card in any
    UnsupportedCard,      // cards, but none a driver understands
    CertificateNotFound,  // no certificate with the requested id (or none fit for login)
    PinBlocked,           // details carry the unblocking hint
    Cancelled,            // the extension cancelled, or the user cancelled on a PIN pad
    Timeout,              // no PIN arrived in time
    CardError,            // the card signed something that does not verify, etc.
    ConfigInvalid,        // the host configuration could not be loaded
};

class CommandError : public HostError {
public:
    CommandError(CommandFailure failure, const std::string& message,
                 nlohmann::json details = nlohmann::json::object())
        : HostError(message), failure_(failure), details_(std::move(details)) {}
    CommandFailure failure() const noexcept { return failure_; }
    const nlohmann::json& details() const noexcept { return details_; }

private:
    CommandFailure failure_;
    nlohmann::json details_;
};

}  // namespace pkibridge::host::commands
