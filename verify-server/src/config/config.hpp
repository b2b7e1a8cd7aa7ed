// The server configuration: one JSON file (docs/server-configuration.md), embedded
// defaults for everything, and command-line overrides applied on top.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pkibridge::server {

struct ListenAddress {
    std::string host = "127.0.0.1";
    int port = 8443;
    std::string to_string() const;  // "127.0.0.1:8443", "[::1]:8443"
};

struct TlsConfig {
    std::filesystem::path certificate;  // PEM chain (leaf first); empty -> self-signed
    std::filesystem::path private_key;
    // Where the generated self-signed localhost certificate is kept (empty -> "tls" next
    // to the database file).
    std::filesystem::path self_signed_directory;
};

struct TrustConfig {
    std::vector<std::filesystem::path> anchors;        // PEM bundles of root CAs
    std::vector<std::filesystem::path> intermediates;  // PEM bundles of issuing CAs
};

struct CrlConfig {
    std::vector<std::filesystem::path> files;
    std::vector<std::string> urls;
    // Also fetch the CRLs named by the CRL distribution points of the configured CA
    // certificates and of (chain-validated) end-entity certificates.
    bool from_distribution_points = true;
    bool require_revocation = true;                // no usable CRL -> crl-missing
    std::int64_t grace_seconds = 0;                // accept a CRL this long after nextUpdate
    std::int64_t refresh_interval_seconds = 3600;  // re-fetch every source at least this often
    std::int64_t refresh_margin_seconds = 300;     // and this long before its nextUpdate
    std::int64_t retry_seconds = 60;               // after a failed fetch
    std::int64_t fetch_timeout_seconds = 10;
    std::size_t max_bytes = 256u * 1024 * 1024;  // largest CRL accepted (file or download)
};

struct DatabaseConfig {
    std::filesystem::path path = "pkibridge.db";
    int busy_timeout_ms = 5000;
    std::string synchronous = "normal";  // "normal" or "full" (WAL mode either way)
    int connections = 4;
};

struct SessionConfig {
    std::int64_t idle_timeout_seconds = 4 * 3600;       // seed rules: 4 h idle logout
    std::int64_t absolute_timeout_seconds = 12 * 3600;  // re-login at least twice a day
    std::string cookie_name = "pkibridge_session";
    std::string prelogin_cookie_name = "pkibridge_prelogin";
};

struct ChallengeConfig {
    std::int64_t lifetime_seconds = 300;
    std::size_t max_outstanding = 100000;
};

struct LoginConfig {
    std::int64_t clock_skew_seconds = 300;  // |issuedAt - now| allowed
};

struct HttpConfig {
    int threads = 0;  // 0 -> automatic (see docs)
    std::size_t max_body_bytes = 1024 * 1024;
    std::int64_t read_timeout_seconds = 10;
    std::int64_t write_timeout_seconds = 10;
    std::int64_t keep_alive_timeout_seconds = 5;
    std::size_t keep_alive_max_requests = 1000;
    bool trust_forwarded_for = false;  // take the client IP from X-Forwarded-For
};

struct AdminConfig {
    std::string token;  // empty -> admin endpoints only from loopback peers
};

// Outgoing mail (one-day password check codes, certificate expiry notices).
struct SmtpConfig {
    std::string url;   // "smtp://host:port" or "smtps://host:port"; empty -> mail disabled
    std::string from;  // envelope and header sender, e.g. "portal@example.gov.tw"
    std::string username;
    std::string password;   // read from passwordFile; never logged or echoed
    bool starttls = false;  // require STARTTLS on smtp:// URLs
    std::int64_t timeout_seconds = 10;
};

struct RateLimitConfig {
    int per_ip_per_minute = 30;       // password-based login attempts per client IP
    int per_account_per_minute = 10;  // per national ID
};

// The portal's account rules (docs/portal.md).
struct PortalConfig {
    std::filesystem::path web_root;   // the pages; empty -> built-in search (docs)
    std::filesystem::path catalogue;  // systems and identity types; empty -> built-in
    int utc_offset_minutes = 480;     // Asia/Taipei (no DST since 1979): "calendar day" rules
    std::size_t password_min_length = 12;
    int lockout_attempts = 3;
    std::int64_t lockout_seconds = 30 * 60;
    std::int64_t inactivity_disable_days = 90;  // "3 months" without any login
    std::vector<int> expiry_notice_days = {45, 30, 15, 1};
    std::int64_t job_interval_seconds = 3600;
    std::int64_t captcha_lifetime_seconds = 300;
    RateLimitConfig rate_limit;
    std::string totp_issuer = "pkibridge";
    std::string public_url;  // the portal's address for links in e-mails; empty -> none
};

// Hooks that make a server testable and unsafe; refused unless listening on loopback.
struct TestHooks {
    std::filesystem::path clock_file;    // integer seconds added to the system clock
    bool expose_captcha_answer = false;  // X-Test-Captcha-Answer response header
};

struct ServerConfig {
    ListenAddress listen;
    bool insecure_http = false;
    TlsConfig tls;
    std::vector<std::string> origins;  // normalised portal origins login tokens must name
    TrustConfig trust;
    CrlConfig crl;
    DatabaseConfig database;
    SessionConfig sessions;
    ChallengeConfig challenges;
    LoginConfig login;
    HttpConfig http;
    AdminConfig admin;
    PortalConfig portal;
    SmtpConfig smtp;
    TestHooks test_hooks;  // command line only, never from the file
    std::string log_level = "info";
    bool access_log = true;
    std::size_t chain_cache_entries = 10000;
};

// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (keeps the default host); throws ConfigError.
ListenAddress parse_listen_address(std::string_view text, const ListenAddress& defaults = {});
// 127.0.0.0/8, ::1, "localhost".
bool is_loopback_host(std::string_view host);
// "https://Portal.Example:443/" -> "https://portal.example"; http only for loopback hosts;
// throws ConfigError on paths, queries, user info or other schemes.
std::string normalize_origin(std::string_view origin);

// Reads the JSON document onto the defaults. Relative paths are resolved against
// base_dir (the config file's folder). Unknown keys are errors (they are usually typos).
ServerConfig parse_config(const nlohmann::json& doc, const std::filesystem::path& base_dir);
ServerConfig load_config_file(const std::filesystem::path& path);

// Checks the cross-field rules (plain HTTP only on loopback, positive lifetimes, ...);
// throws ConfigError naming the offending key.
void validate_config(const ServerConfig& config);

// The effective configuration as JSON (the admin token is redacted).
nlohmann::json config_to_json(const ServerConfig& config);

// Worker threads when http.threads is 0: each keep-alive connection holds a worker, and
// most of a request's time is spent in RSA verification, so a few per core plus headroom.
int effective_thread_count(const HttpConfig& http);

}  // namespace pkibridge::server
