// Placeholder: replaced by the owner of the 'ca' subcommands.
#include "commands.hpp"

namespace pkibridge::tool {
void register_ca_commands(CLI::App&, const GlobalOptions&, Action&) {}
}  // namespace pkibridge::tool
