// pkibridge-host: the native messaging host the browser starts for the pkibridge extension.
// stdin/stdout carry protocol frames only; diagnostics go to stderr or a log file.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "config/config_loader.hpp"
#include "core/log.hpp"
#include "core/version.hpp"
#include "drivers/pkcs11_drivers.hpp"
#include "messaging/host_server.hpp"

namespace {

using namespace pkibridge::host;

void print_usage() {
    std::fprintf(stderr,
                 "pkibridge-host %s: the pkibridge native messaging host.\n"
                 "Started by the browser (Chrome, Edge, Firefox), which passes the calling\n"
                 "extension's origin; it speaks the native messaging protocol on stdin/stdout.\n"
                 "Configuration: PKIBRIDGE_HOST_CONFIG, else /etc/pkibridge/host.json merged with\n"
                 "$XDG_CONFIG_HOME/pkibridge/host.json (see docs/host-configuration.md).\n"
                 "Options: --version, --check-config, --help\n",
                 std::string(kHostVersion).c_str());
}

// "chrome-extension://<id>/" -> "chrome-extension://<id>"; nullopt for anything else.
std::optional<std::string> extension_origin(std::string_view arg) {
    constexpr std::string_view prefix = "chrome-extension://";
    if (arg.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::string_view id = arg.substr(prefix.size());
    if (!id.empty() && id.back() == '/') id.remove_suffix(1);
    if (id.empty() || id.size() > 64) return std::nullopt;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return std::nullopt;
    return std::string(prefix) + std::string(id);
}

}  // namespace

int main(int argc, char** argv) {
    // The browser closing the pipe must not kill us in the middle of a card operation.
    std::signal(SIGPIPE, SIG_IGN);

    bool check_only = false;
    std::optional<std::string> caller_origin;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--version")) {
            std::printf("pkibridge-host %s (protocol %d)\n", std::string(kHostVersion).c_str(),
                        kProtocolVersion);
            return 0;
        }
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            print_usage();
            return 0;
        }
        if (!std::strcmp(argv[i], "--check-config")) check_only = true;
        // Chrome and Edge pass the calling extension's origin; Firefox passes the manifest
        // path and the add-on id (its pages' moz-extension:// origin is not derivable).
        if (auto origin = extension_origin(argv[i])) caller_origin = origin;
    }

    messaging::ServerOptions options;
    options.caller_origin = caller_origin;
    try {
        options.config = config::load_config(config::locations_from_environment());
    } catch (const std::exception& e) {
        options.config_error = e.what();
        std::fprintf(stderr, "pkibridge-host: configuration error: %s\n", e.what());
    }
    if (check_only) {
        if (options.config_error) return 1;
        std::fprintf(stderr, "pkibridge-host: configuration OK (%zu allowed origins)\n",
                     options.config.allowed_origins.size());
        return 0;
    }
    if (options.config.log.enabled) log::enable(options.config.log.level, options.config.log.file);
    // Modules load on first use and are finalised when main returns.
    const drivers::Pkcs11Scope pkcs11(options.config);
    log::info(std::string("pkibridge-host ") + std::string(kHostVersion) + " started");

    try {
        messaging::HostServer server(std::move(options));
        return server.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pkibridge-host: fatal: %s\n", e.what());
        return 3;
    }
}
