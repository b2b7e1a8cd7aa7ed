// Placeholder: replaced by the owner of the 'sign' subcommands.
#include "commands.hpp"

namespace pkibridge::tool {
void register_sign_command(CLI::App&, const GlobalOptions&, Action&) {}
}  // namespace pkibridge::tool
