// The host commands. Each returns the protocol's "result" object or throws a typed error.
#pragma once

#include <nlohmann/json.hpp>

#include "commands/command_context.hpp"
#include "commands/status_probe.hpp"

namespace pkibridge::host::commands {

// status: answered at once (never queued behind a card operation). Only probes cards
// with APDUs when `card_operation_running` is false.
nlohmann::json run_status(const config::HostConfig* config, const std::string* config_error,
                          const protocol::Request& request, StatusProbe& probe,
                          bool card_operation_running);

nlohmann::json run_list_certificates(const CommandContext& context);
nlohmann::json run_sign(const CommandContext& context);
nlohmann::json run_authenticate(const CommandContext& context);

}  // namespace pkibridge::host::commands
