// Logging in to a card for one private-key operation: asks the extension for the PIN with
// pin-required events (again after each wrong PIN, with the tries left), or lets the user
// type it on a PIN-pad reader, then runs the operation in the logged-in session.
#pragma once

#include <functional>

#include "card/token.hpp"
#include "commands/command_context.hpp"
#include "commands/key_lookup.hpp"

namespace pkibridge::host::commands {

// Ends with the operation's success, or throws: CommandError(PinBlocked / Cancelled /
// Timeout), PC/SC errors (card removed, service stopped) or card errors.
void with_pin(const CommandContext& context, const FoundKey& found,
              const std::function<void(card::TokenSession&)>& operation);

// The unblocking hint for a blocked card, by the issuing CA of its certificate.
nlohmann::json pin_blocked_details(const card::TokenKey& key);

}  // namespace pkibridge::host::commands
