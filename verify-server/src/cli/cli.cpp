#include "cli/cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/account_commands.hpp"
#include "cli/server_app.hpp"
#include "config/config.hpp"
#include "core/errors.hpp"
#include "store/store_error.hpp"

namespace pkibridge::server {

namespace {

struct ServerOptions {
    std::string config;
    std::string listen;
    bool insecure_http = false;
    std::vector<std::string> origins;
    std::vector<std::string> trust;
    std::vector<std::string> untrusted;
    std::vector<std::string> crls;
    std::vector<std::string> crl_urls;
    std::string db;
    std::string tls_cert;
    std::string tls_key;
    std::string log_level;
    std::string admin_token_file;
    bool print_config = false;
    std::string test_clock;
    bool test_captcha_answers = false;
};

// Command-line values override scalars of the file and add to its lists.
ServerConfig build_config(const ServerOptions& o) {
    ServerConfig c = o.config.empty() ? ServerConfig{} : load_config_file(o.config);
    if (!o.listen.empty()) c.listen = parse_listen_address(o.listen, c.listen);
    if (o.insecure_http) c.insecure_http = true;
    for (const auto& origin : o.origins) c.origins.push_back(normalize_origin(origin));
    for (const auto& t : o.trust) c.trust.anchors.emplace_back(t);
    for (const auto& u : o.untrusted) c.trust.intermediates.emplace_back(u);
    for (const auto& f : o.crls) c.crl.files.emplace_back(f);
    for (const auto& u : o.crl_urls) c.crl.urls.push_back(u);
    if (!o.db.empty()) c.database.path = o.db;
    if (!o.tls_cert.empty()) c.tls.certificate = o.tls_cert;
    if (!o.tls_key.empty()) c.tls.private_key = o.tls_key;
    if (!o.log_level.empty()) c.log_level = o.log_level;
    if (!o.admin_token_file.empty()) {
        nlohmann::json doc = {{"admin", {{"tokenFile", o.admin_token_file}}}};
        c.admin.token = parse_config(doc, std::filesystem::current_path()).admin.token;
    }
    if (!o.test_clock.empty()) c.test_hooks.clock_file = o.test_clock;
    if (o.test_captcha_answers) c.test_hooks.expose_captcha_answer = true;
    validate_config(c);
    return c;
}

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{
        "pkibridge-server: verifies pkibridge signatures and certificate logins for a "
        "portal (see docs/server-configuration.md)"};
    app.set_version_flag("--version", "pkibridge-server 0.1.0");
    ServerOptions o;
    app.add_option("--config", o.config, "JSON configuration file");
    app.add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:8443)");
    app.add_flag("--insecure-http", o.insecure_http,
                 "serve plain HTTP (refused unless the listen host is a loopback address)");
    app.add_option("--origin", o.origins, "portal origin login tokens must name (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--trust", o.trust, "trust anchor certificates, PEM (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--untrusted", o.untrusted, "intermediate CA certificates, PEM (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--crl", o.crls, "CRL file, PEM or DER (repeatable)")->allow_extra_args(false);
    app.add_option("--crl-url", o.crl_urls, "CRL URL to fetch and refresh (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--db", o.db, "SQLite database file (default pkibridge.db)");
    app.add_option("--tls-cert", o.tls_cert, "TLS certificate chain, PEM");
    app.add_option("--tls-key", o.tls_key, "TLS private key, PEM");
    app.add_option("--log-level", o.log_level, "debug, info, warn, error or off");
    app.add_option("--admin-token-file", o.admin_token_file,
                   "file holding the bearer token for /api/v1/admin endpoints");
    app.add_option("--test-clock", o.test_clock,
                   "TESTS ONLY: file holding seconds to add to the clock (loopback only)");
    app.add_flag("--test-captcha-answers", o.test_captcha_answers,
                 "TESTS ONLY: send CAPTCHA answers in a response header (loopback only)");
    app.add_flag("--print-config", o.print_config, "print the effective configuration and exit");

    int account_result = 0;
    add_account_commands(app, account_result);
    app.require_subcommand(0, 1);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    if (!app.get_subcommands().empty()) return account_result;

    try {
        ServerConfig config = build_config(o);
        if (o.print_config) {
            std::cout << config_to_json(config).dump(2) << "\n";
            return 0;
        }
        return run_server(config);
    } catch (const ConfigError& e) {
        std::cerr << "pkibridge-server: configuration error: " << e.what() << "\n";
        return 2;
    } catch (const StoreError& e) {
        std::cerr << "pkibridge-server: database error: " << e.what() << "\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << "pkibridge-server: " << e.what() << "\n";
        return 3;
    }
}

}  // namespace pkibridge::server
