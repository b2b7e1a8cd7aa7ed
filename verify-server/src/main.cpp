// pkibridge-server: see docs/server-configuration.md and docs/server-api.md.
#include "cli/cli.hpp"

int main(int argc, char** argv) {
    return pkibridge::server::run_cli(argc, argv);
}
