// Subcommand registration for pkcs-tool. Each group of subcommands lives in its own file
// and registers itself here; main() runs the one selected.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace pkibridge::tool {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // a verification ran and said no
inline constexpr int kExitUsage = 2;     // bad options or unreadable/malformed input
inline constexpr int kExitInternal = 3;  // a bug or an unexpected OpenSSL failure

struct GlobalOptions {
    bool json = false;  // machine-readable output on stdout
};

// A selected subcommand stores what it will do here; main() runs it after parsing.
using Action = std::function<int()>;

void register_ca_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void register_inspect_command(CLI::App& app, const GlobalOptions& global, Action& action);
void register_sign_command(CLI::App& app, const GlobalOptions& global, Action& action);
void register_verify_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void register_vcard_commands(CLI::App& app, const GlobalOptions& global, Action& action);

}  // namespace pkibridge::tool
