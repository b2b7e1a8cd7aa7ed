#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace pkibridge::server {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Reads one JSON object, remembering which keys were used so leftovers can be reported.
class ObjectReader {
public:
    ObjectReader(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {
        if (!obj_.is_object()) throw ConfigError(where() + " must be a JSON object");
    }
    ~ObjectReader() = default;

    const json* get(const std::string& key) {
        seen_.insert(key);
        auto it = obj_.find(key);
        if (it == obj_.end() || it->is_null()) return nullptr;
        return &*it;
    }
    std::string key_path(const std::string& key) const {
        return path_.empty() ? key : path_ + "." + key;
    }

    void read(const std::string& key, bool& out) {
        if (auto* v = get(key)) {
            if (!v->is_boolean()) throw ConfigError(key_path(key) + " must be true or false");
            out = v->get<bool>();
        }
    }
    void read(const std::string& key, std::string& out) {
        if (auto* v = get(key)) {
            if (!v->is_string()) throw ConfigError(key_path(key) + " must be a string");
            out = v->get<std::string>();
        }
    }
    template <class Int>
    void read_int(const std::string& key, Int& out, long long min, long long max) {
        if (auto* v = get(key)) {
            if (!v->is_number_integer()) throw ConfigError(key_path(key) + " must be an integer");
            long long value = v->is_number_unsigned()
                                  ? static_cast<long long>(std::min<unsigned long long>(
                                        v->get<unsigned long long>(), 1ULL << 62))
                                  : v->get<long long>();
            if (value < min || value > max) {
                throw ConfigError(key_path(key) + " must be between " + std::to_string(min) +
                                  " and " + std::to_string(max) + " (got " + std::to_string(value) +
                                  ")");
            }
            out = static_cast<Int>(value);
        }
    }
    void read(const std::string& key, fs::path& out, const fs::path& base) {
        std::string s;
        if (get(key) == nullptr) return;
        read(key, s);
        if (s.empty()) throw ConfigError(key_path(key) + " must not be empty");
        out = resolve(s, base);
    }
    // A secret kept in its own file (first line, trailing white space dropped), so the
    // configuration itself can be readable by more people than the secret.
    void read_secret_file(const std::string& key, std::string& out, const fs::path& base) {
        if (get(key) == nullptr) return;
        fs::path file;
        read(key, file, base);
        std::ifstream in(file);
        if (!in) throw ConfigError(key_path(key) + ": cannot read " + file.string());
        std::getline(in, out);
        while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
    }
    void read(const std::string& key, std::vector<std::string>& out) {
        if (auto* v = get(key)) {
            out.clear();
            if (v->is_string()) {
                out.push_back(v->get<std::string>());
                return;
            }
            if (!v->is_array()) throw ConfigError(key_path(key) + " must be an array of strings");
            for (const auto& item : *v) {
                if (!item.is_string())
                    throw ConfigError(key_path(key) + " must be an array of strings");
                out.push_back(item.get<std::string>());
            }
        }
    }
    void read(const std::string& key, std::vector<fs::path>& out, const fs::path& base) {
        std::vector<std::string> items;
        if (get(key) == nullptr) return;
        read(key, items);
        out.clear();
        for (const auto& s : items) {
            if (s.empty()) throw ConfigError(key_path(key) + " must not hold empty paths");
            out.push_back(resolve(s, base));
        }
    }
    ObjectReader child(const std::string& key) {
        static const json kEmpty = json::object();
        auto* v = get(key);
        return ObjectReader(v ? *v : kEmpty, key_path(key));
    }
    bool has(const std::string& key) const { return obj_.contains(key); }

    // Every key that was never asked for is a typo or an unsupported option.
    void finish() const {
        for (auto it = obj_.begin(); it != obj_.end(); ++it) {
            if (!seen_.count(it.key())) {
                throw ConfigError("unknown configuration key '" + key_path(it.key()) + "'");
            }
        }
    }

    static fs::path resolve(const std::string& s, const fs::path& base) {
        fs::path p(s);
        if (p.is_relative() && !base.empty()) p = base / p;
        return p.lexically_normal();
    }

private:
    std::string where() const { return path_.empty() ? "the configuration" : "'" + path_ + "'"; }
    const json& obj_;
    std::string path_;
    std::set<std::string> seen_;
};

constexpr long long kMaxSeconds = 10LL * 365 * 86400;

}  // namespace

ServerConfig parse_config(const json& doc, const fs::path& base_dir) {
    ServerConfig c;
    ObjectReader root(doc, "");

    if (root.get("listen")) {
        std::string listen;
        root.read("listen", listen);
        c.listen = parse_listen_address(listen, c.listen);
    }
    root.read("insecureHttp", c.insecure_http);
    {
        auto r = root.child("tls");
        r.read("certificate", c.tls.certificate, base_dir);
        r.read("privateKey", c.tls.private_key, base_dir);
        r.read("selfSignedDirectory", c.tls.self_signed_directory, base_dir);
        r.finish();
    }
    {
        std::vector<std::string> origins;
        root.read("origins", origins);
        for (const auto& o : origins) c.origins.push_back(normalize_origin(o));
    }
    {
        auto r = root.child("trust");
        r.read("anchors", c.trust.anchors, base_dir);
        r.read("intermediates", c.trust.intermediates, base_dir);
        r.finish();
    }
    {
        auto r = root.child("crl");
        r.read("files", c.crl.files, base_dir);
        r.read("urls", c.crl.urls);
        r.read("fromDistributionPoints", c.crl.from_distribution_points);
        r.read("requireRevocation", c.crl.require_revocation);
        r.read_int("graceSeconds", c.crl.grace_seconds, 0, kMaxSeconds);
        r.read_int("refreshIntervalSeconds", c.crl.refresh_interval_seconds, 1, kMaxSeconds);
        r.read_int("refreshMarginSeconds", c.crl.refresh_margin_seconds, 0, kMaxSeconds);
        r.read_int("retrySeconds", c.crl.retry_seconds, 1, kMaxSeconds);
        r.read_int("fetchTimeoutSeconds", c.crl.fetch_timeout_seconds, 1, 3600);
        r.read_int("maxBytes", c.crl.max_bytes, 1024, 4LL * 1024 * 1024 * 1024);
        r.finish();
    }
    {
        auto r = root.child("database");
        r.read("path", c.database.path, base_dir);
        r.read_int("busyTimeoutMs", c.database.busy_timeout_ms, 0, 600000);
        r.read("synchronous", c.database.synchronous);
        r.read_int("connections", c.database.connections, 1, 64);
        r.finish();
    }
    {
        auto r = root.child("sessions");
        r.read_int("idleTimeoutSeconds", c.sessions.idle_timeout_seconds, 1, kMaxSeconds);
        r.read_int("absoluteTimeoutSeconds", c.sessions.absolute_timeout_seconds, 1, kMaxSeconds);
        r.read("cookieName", c.sessions.cookie_name);
        r.read("preloginCookieName", c.sessions.prelogin_cookie_name);
        r.finish();
    }
    {
        auto r = root.child("challenges");
        r.read_int("lifetimeSeconds", c.challenges.lifetime_seconds, 1, 86400);
        r.read_int("maxOutstanding", c.challenges.max_outstanding, 1, 100000000);
        r.finish();
    }
    {
        auto r = root.child("login");
        r.read_int("clockSkewSeconds", c.login.clock_skew_seconds, 0, 86400);
        r.finish();
    }
    {
        auto r = root.child("http");
        r.read_int("threads", c.http.threads, 0, 1024);
        r.read_int("maxBodyBytes", c.http.max_body_bytes, 1024, 1LL << 30);
        r.read_int("readTimeoutSeconds", c.http.read_timeout_seconds, 1, 3600);
        r.read_int("writeTimeoutSeconds", c.http.write_timeout_seconds, 1, 3600);
        r.read_int("keepAliveTimeoutSeconds", c.http.keep_alive_timeout_seconds, 0, 3600);
        r.read_int("keepAliveMaxRequests", c.http.keep_alive_max_requests, 1, 1000000000);
        r.read("trustForwardedFor", c.http.trust_forwarded_for);
        r.finish();
    }
    {
        auto r = root.child("admin");
        r.read("token", c.admin.token);
        r.read_secret_file("tokenFile", c.admin.token, base_dir);
        r.finish();
    }
    {
        auto r = root.child("portal");
        r.read("webRoot", c.portal.web_root, base_dir);
        r.read("catalogue", c.portal.catalogue, base_dir);
        r.read_int("utcOffsetMinutes", c.portal.utc_offset_minutes, -14 * 60, 14 * 60);
        r.read_int("passwordMinLength", c.portal.password_min_length, 8, 128);
        r.read_int("lockoutAttempts", c.portal.lockout_attempts, 1, 100);
        r.read_int("lockoutSeconds", c.portal.lockout_seconds, 1, kMaxSeconds);
        r.read_int("inactivityDisableDays", c.portal.inactivity_disable_days, 1, 3650);
        if (auto* v = r.get("expiryNoticeDays")) {
            if (!v->is_array()) throw ConfigError("portal.expiryNoticeDays must be an array");
            c.portal.expiry_notice_days.clear();
            for (const auto& d : *v) {
                if (!d.is_number_integer() || d.get<long long>() < 0 || d.get<long long>() > 3650)
                    throw ConfigError("portal.expiryNoticeDays: each entry must be 0-3650 days");
                c.portal.expiry_notice_days.push_back(d.get<int>());
            }
        }
        r.read_int("jobIntervalSeconds", c.portal.job_interval_seconds, 1, kMaxSeconds);
        r.read_int("captchaLifetimeSeconds", c.portal.captcha_lifetime_seconds, 10, 3600);
        {
            auto rl = r.child("rateLimit");
            rl.read_int("perIpPerMinute", c.portal.rate_limit.per_ip_per_minute, 1, 1000000);
            rl.read_int("perAccountPerMinute", c.portal.rate_limit.per_account_per_minute, 1,
                        1000000);
            rl.finish();
        }
        r.read("totpIssuer", c.portal.totp_issuer);
        r.read("publicUrl", c.portal.public_url);
        r.finish();
    }
    {
        auto r = root.child("smtp");
        r.read("url", c.smtp.url);
        r.read("from", c.smtp.from);
        r.read("username", c.smtp.username);
        r.read_secret_file("passwordFile", c.smtp.password, base_dir);
        r.read("starttls", c.smtp.starttls);
        r.read_int("timeoutSeconds", c.smtp.timeout_seconds, 1, 600);
        r.finish();
    }
    {
        auto r = root.child("log");
        r.read("level", c.log_level);
        r.read("accessLog", c.access_log);
        r.finish();
    }
    {
        auto r = root.child("chainCache");
        r.read_int("maxEntries", c.chain_cache_entries, 0, 10000000);
        r.finish();
    }
    root.finish();
    return c;
}

ServerConfig load_config_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read configuration file " + path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    json doc = json::parse(ss.str(), nullptr, false, /*ignore_comments=*/true);
    if (doc.is_discarded())
        throw ConfigError("configuration file " + path.string() + " is not valid JSON");
    fs::path base = fs::absolute(path).parent_path();
    return parse_config(doc, base);
}

void validate_config(const ServerConfig& c) {
    if (c.insecure_http && !is_loopback_host(c.listen.host)) {
        throw ConfigError("insecure HTTP is only allowed on a loopback address (listen is " +
                          c.listen.to_string() + "); configure TLS instead");
    }
    if ((!c.test_hooks.clock_file.empty() || c.test_hooks.expose_captcha_answer) &&
        !is_loopback_host(c.listen.host)) {
        throw ConfigError(
            "test hooks (--test-clock, --test-captcha-answers) are only allowed "
            "on a loopback address");
    }
    if (!c.smtp.url.empty() && c.smtp.url.rfind("smtp://", 0) != 0 &&
        c.smtp.url.rfind("smtps://", 0) != 0) {
        throw ConfigError("smtp.url must start with smtp:// or smtps://");
    }
    if (!c.smtp.url.empty() && c.smtp.from.empty()) {
        throw ConfigError("smtp.from is required when smtp.url is set");
    }
    if (c.tls.certificate.empty() != c.tls.private_key.empty()) {
        throw ConfigError("tls.certificate and tls.privateKey must be given together");
    }
    if (c.database.synchronous != "normal" && c.database.synchronous != "full") {
        throw ConfigError("database.synchronous must be \"normal\" or \"full\"");
    }
    if (c.database.path.empty()) throw ConfigError("database.path must not be empty");
    if (c.sessions.absolute_timeout_seconds < c.sessions.idle_timeout_seconds) {
        throw ConfigError(
            "sessions.absoluteTimeoutSeconds must be at least sessions.idleTimeoutSeconds");
    }
    auto cookie_ok = [](const std::string& name) {
        return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char ch) {
            return std::isalnum(ch) || ch == '_' || ch == '-';
        });
    };
    if (!cookie_ok(c.sessions.cookie_name) || !cookie_ok(c.sessions.prelogin_cookie_name) ||
        c.sessions.cookie_name == c.sessions.prelogin_cookie_name) {
        throw ConfigError("cookie names must be distinct and use only letters, digits, _ and -");
    }
    for (const auto& url : c.crl.urls) {
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            throw ConfigError("crl.urls: only http:// and https:// URLs are supported (" + url +
                              ")");
    }
    if (!c.admin.token.empty() && c.admin.token.size() < 16) {
        throw ConfigError("admin.token must be at least 16 characters");
    }
    parse_log_level(c.log_level);
}

int effective_thread_count(const HttpConfig& http) {
    if (http.threads > 0) return http.threads;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return static_cast<int>(std::max(16u, cores * 8));
}

}  // namespace pkibridge::server
