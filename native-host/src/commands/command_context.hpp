// Everything a command needs while it runs on the worker.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "commands/command_error.hpp"
#include "commands/event_sink.hpp"
#include "commands/pin_broker.hpp"
#include "config/host_config.hpp"
#include "core/cancellation.hpp"
#include "protocol/request.hpp"

namespace pkibridge::host::commands {

struct CommandContext {
    const config::HostConfig& config;
    const protocol::Request& request;
    const Cancellation& cancellation;
    PinBroker& pins;
    EventSink& events;
    std::chrono::milliseconds presence_poll{250};  // card-pulled checks while waiting for a PIN
    // The calling extension's own origin as the browser passed it ("chrome-extension://<id>"),
    // if known: its pages (the self-test) may sign.
    std::optional<std::string> caller_origin = std::nullopt;

    void check_cancelled() const {
        if (cancellation.cancelled())
            throw CommandError(CommandFailure::Cancelled, "the request was cancelled");
    }
};

// The request's origin in normal form when it is on the allow-list (or, with
// `allow_caller_extension`, exactly the calling extension's own origin); otherwise throws
// CommandError(OriginNotAllowed). Call before touching any card.
std::string require_allowed_origin(const CommandContext& context,
                                   bool allow_caller_extension = false);

}  // namespace pkibridge::host::commands
