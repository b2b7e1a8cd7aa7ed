// Placeholder: replaced by the owner of the 'vcard' subcommands.
#include "commands.hpp"

namespace pkibridge::tool {
void register_vcard_commands(CLI::App&, const GlobalOptions&, Action&) {}
}  // namespace pkibridge::tool
