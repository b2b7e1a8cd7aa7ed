#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/log.hpp"

int main(int argc, char* argv[]) {
    // Services log CRL loads and warnings; the test output should show test results only.
    pkibridge::server::set_log_level(pkibridge::server::LogLevel::Error);
    return Catch::Session().run(argc, argv);
}
