// The effective configuration as JSON (--print-config); secrets are redacted.
#include "config/config.hpp"

namespace pkibridge::server {

using nlohmann::json;
namespace fs = std::filesystem;

json config_to_json(const ServerConfig& c) {
    auto paths = [](const std::vector<fs::path>& v) {
        json a = json::array();
        for (const auto& p : v) a.push_back(p.string());
        return a;
    };
    return json{
        {"listen", c.listen.to_string()},
        {"insecureHttp", c.insecure_http},
        {"tls",
         {{"certificate", c.tls.certificate.string()},
          {"privateKey", c.tls.private_key.string()},
          {"selfSignedDirectory", c.tls.self_signed_directory.string()}}},
        {"origins", c.origins},
        {"trust",
         {{"anchors", paths(c.trust.anchors)}, {"intermediates", paths(c.trust.intermediates)}}},
        {"crl",
         {{"files", paths(c.crl.files)},
          {"urls", c.crl.urls},
          {"fromDistributionPoints", c.crl.from_distribution_points},
          {"requireRevocation", c.crl.require_revocation},
          {"graceSeconds", c.crl.grace_seconds},
          {"refreshIntervalSeconds", c.crl.refresh_interval_seconds},
          {"refreshMarginSeconds", c.crl.refresh_margin_seconds},
          {"retrySeconds", c.crl.retry_seconds},
          {"fetchTimeoutSeconds", c.crl.fetch_timeout_seconds},
          {"maxBytes", c.crl.max_bytes}}},
        {"database",
         {{"path", c.database.path.string()},
          {"busyTimeoutMs", c.database.busy_timeout_ms},
          {"synchronous", c.database.synchronous},
          {"connections", c.database.connections}}},
        {"sessions",
         {{"idleTimeoutSeconds", c.sessions.idle_timeout_seconds},
          {"absoluteTimeoutSeconds", c.sessions.absolute_timeout_seconds},
          {"cookieName", c.sessions.cookie_name},
          {"preloginCookieName", c.sessions.prelogin_cookie_name}}},
        {"challenges",
         {{"lifetimeSeconds", c.challenges.lifetime_seconds},
          {"maxOutstanding", c.challenges.max_outstanding}}},
        {"login", {{"clockSkewSeconds", c.login.clock_skew_seconds}}},
        {"http",
         {{"threads", c.http.threads},
          {"maxBodyBytes", c.http.max_body_bytes},
          {"readTimeoutSeconds", c.http.read_timeout_seconds},
          {"writeTimeoutSeconds", c.http.write_timeout_seconds},
          {"keepAliveTimeoutSeconds", c.http.keep_alive_timeout_seconds},
          {"keepAliveMaxRequests", c.http.keep_alive_max_requests},
          {"trustForwardedFor", c.http.trust_forwarded_for}}},
        {"admin", {{"token", c.admin.token.empty() ? "" : "(set)"}}},
        {"portal",
         {{"webRoot", c.portal.web_root.string()},
          {"catalogue", c.portal.catalogue.string()},
          {"utcOffsetMinutes", c.portal.utc_offset_minutes},
          {"passwordMinLength", c.portal.password_min_length},
          {"lockoutAttempts", c.portal.lockout_attempts},
          {"lockoutSeconds", c.portal.lockout_seconds},
          {"inactivityDisableDays", c.portal.inactivity_disable_days},
          {"expiryNoticeDays", c.portal.expiry_notice_days},
          {"jobIntervalSeconds", c.portal.job_interval_seconds},
          {"captchaLifetimeSeconds", c.portal.captcha_lifetime_seconds},
          {"rateLimit",
           {{"perIpPerMinute", c.portal.rate_limit.per_ip_per_minute},
            {"perAccountPerMinute", c.portal.rate_limit.per_account_per_minute}}},
          {"totpIssuer", c.portal.totp_issuer},
          {"publicUrl", c.portal.public_url}}},
        {"smtp",
         {{"url", c.smtp.url},
          {"from", c.smtp.from},
          {"username", c.smtp.username},
          {"password", c.smtp.password.empty() ? "" : "(set)"},
          {"starttls", c.smtp.starttls},
          {"timeoutSeconds", c.smtp.timeout_seconds}}},
        {"log", {{"level", c.log_level}, {"accessLog", c.access_log}}},
        {"chainCache", {{"maxEntries", c.chain_cache_entries}}},
    };
}

}  // namespace pkibridge::server
