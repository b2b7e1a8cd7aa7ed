// `pkibridge-server account ...`: the operator's command line for the account store.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace pkibridge::server {

// Adds the `account` subcommand tree to app. `result` receives the exit code of whichever
// account command ran (0 ok, 1 rejected, 2 bad input, 3 internal error).
void add_account_commands(CLI::App& app, int& result);

}  // namespace pkibridge::server
