// Placeholder: replaced by the owner of the 'inspect' subcommands.
#include "commands.hpp"

namespace pkibridge::tool {
void register_inspect_command(CLI::App&, const GlobalOptions&, Action&) {}
}  // namespace pkibridge::tool
