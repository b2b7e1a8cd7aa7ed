// The pkibridge-server command line: server options (overriding the configuration file)
// and the `account` commands.
#pragma once

namespace pkibridge::server {

int run_cli(int argc, char** argv);

}  // namespace pkibridge::server
