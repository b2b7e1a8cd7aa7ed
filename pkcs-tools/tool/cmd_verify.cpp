// Placeholder: replaced by the owner of the 'verify' subcommands.
#include "commands.hpp"

namespace pkibridge::tool {
void register_verify_commands(CLI::App&, const GlobalOptions&, Action&) {}
}  // namespace pkibridge::tool
