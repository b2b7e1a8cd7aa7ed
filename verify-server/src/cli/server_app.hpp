// The composition root: builds the store, services and HTTP server from a configuration,
// runs until SIGINT/SIGTERM, and shuts down in order.
#pragma once

#include <memory>

#include "config/config.hpp"

namespace pkibridge::server {

// Runs the server in the foreground. Returns the process exit code.
int run_server(const ServerConfig& config);

}  // namespace pkibridge::server
