#include <catch2/catch.hpp>

#include <fstream>

#include "config/config.hpp"
#include "core/errors.hpp"

using namespace pkibridge::server;
using nlohmann::json;

TEST_CASE("config defaults are usable without a file", "[config]") {
    ServerConfig c = parse_config(json::object(), "/etc/pkibridge");
    CHECK(c.listen.host == "127.0.0.1");
    CHECK(c.listen.port == 8443);
    CHECK_FALSE(c.insecure_http);
    CHECK(c.challenges.lifetime_seconds == 300);
    CHECK(c.sessions.idle_timeout_seconds == 4 * 3600);
    CHECK(c.crl.require_revocation);
    CHECK(c.database.path == "pkibridge.db");
    CHECK_NOTHROW(validate_config(c));
}

TEST_CASE("config reads every section and resolves relative paths", "[config]") {
    json doc = json::parse(R"({
      "listen": "0.0.0.0:9443",
      "tls": {"certificate": "tls/server.pem", "privateKey": "/abs/server.key"},
      "origins": ["https://Portal.Example.gov.tw:443/", "https://other.example"],
      "trust": {"anchors": ["roots/g2.pem", "roots/g3.pem"], "intermediates": ["moica.pem"]},
      "crl": {"files": ["crl/moica.crl"], "urls": ["http://crl.example/moica.crl"],
              "fromDistributionPoints": false, "graceSeconds": 600,
              "refreshIntervalSeconds": 2, "maxBytes": 1048576},
      "database": {"path": "data/accounts.db", "synchronous": "full", "connections": 2},
      "sessions": {"idleTimeoutSeconds": 600, "absoluteTimeoutSeconds": 3600},
      "challenges": {"lifetimeSeconds": 2, "maxOutstanding": 10},
      "login": {"clockSkewSeconds": 30},
      "http": {"threads": 4, "maxBodyBytes": 65536, "trustForwardedFor": true},
      "admin": {"token": "0123456789abcdef0123"},
      "log": {"level": "debug", "accessLog": false},
      "chainCache": {"maxEntries": 5}
    })");
    ServerConfig c = parse_config(doc, "/etc/pkibridge");
    CHECK(c.listen.host == "0.0.0.0");
    CHECK(c.listen.port == 9443);
    CHECK(c.tls.certificate == "/etc/pkibridge/tls/server.pem");
    CHECK(c.tls.private_key == "/abs/server.key");
    REQUIRE(c.origins.size() == 2);
    CHECK(c.origins[0] == "https://portal.example.gov.tw");
    CHECK(c.trust.anchors.size() == 2);
    CHECK(c.trust.anchors[1] == "/etc/pkibridge/roots/g3.pem");
    CHECK(c.crl.files[0] == "/etc/pkibridge/crl/moica.crl");
    CHECK(c.crl.urls[0] == "http://crl.example/moica.crl");
    CHECK_FALSE(c.crl.from_distribution_points);
    CHECK(c.crl.grace_seconds == 600);
    CHECK(c.crl.refresh_interval_seconds == 2);
    CHECK(c.crl.max_bytes == 1048576);
    CHECK(c.database.path == "/etc/pkibridge/data/accounts.db");
    CHECK(c.database.synchronous == "full");
    CHECK(c.challenges.lifetime_seconds == 2);
    CHECK(c.login.clock_skew_seconds == 30);
    CHECK(c.http.threads == 4);
    CHECK(c.http.max_body_bytes == 65536);
    CHECK(c.http.trust_forwarded_for);
    CHECK(c.log_level == "debug");
    CHECK_FALSE(c.access_log);
    CHECK(c.chain_cache_entries == 5);
    CHECK_NOTHROW(validate_config(c));
    // The effective configuration never shows the admin token.
    CHECK(config_to_json(c)["admin"]["token"] == "(set)");
}

TEST_CASE("config rejects unknown keys, wrong types and out-of-range values", "[config]") {
    CHECK_THROWS_WITH(parse_config(json::parse(R"({"listne": "x"})"), ""),
                      Catch::Contains("unknown configuration key 'listne'"));
    CHECK_THROWS_WITH(parse_config(json::parse(R"({"crl": {"grace": 5}})"), ""),
                      Catch::Contains("'crl.grace'"));
    CHECK_THROWS_WITH(parse_config(json::parse(R"({"challenges": {"lifetimeSeconds": "5"}})"), ""),
                      Catch::Contains("challenges.lifetimeSeconds must be an integer"));
    CHECK_THROWS_WITH(parse_config(json::parse(R"({"challenges": {"lifetimeSeconds": 0}})"), ""),
                      Catch::Contains("between 1 and"));
    CHECK_THROWS_AS(parse_config(json::parse(R"({"insecureHttp": "yes"})"), ""), ConfigError);
    CHECK_THROWS_AS(parse_config(json::parse(R"([1, 2])"), ""), ConfigError);
    CHECK_THROWS_AS(parse_config(json::parse(R"({"origins": ["ftp://x"]})"), ""), ConfigError);
}

TEST_CASE("plain HTTP is refused unless listening on loopback", "[config]") {
    ServerConfig c;
    c.insecure_http = true;
    c.listen = parse_listen_address("127.0.0.1:8080");
    CHECK_NOTHROW(validate_config(c));
    c.listen = parse_listen_address("[::1]:8080");
    CHECK_NOTHROW(validate_config(c));
    c.listen = parse_listen_address("0.0.0.0:8080");
    CHECK_THROWS_WITH(validate_config(c), Catch::Contains("loopback"));
    c.listen = parse_listen_address("192.168.1.5:8080");
    CHECK_THROWS_AS(validate_config(c), ConfigError);
}

TEST_CASE("listen addresses and loopback hosts", "[config]") {
    CHECK(parse_listen_address("[::1]:443").host == "::1");
    CHECK(parse_listen_address(":9000").host == "127.0.0.1");
    CHECK(parse_listen_address(":9000").port == 9000);
    CHECK(parse_listen_address("[::1]:443").to_string() == "[::1]:443");
    CHECK_THROWS_AS(parse_listen_address("localhost"), ConfigError);
    CHECK_THROWS_AS(parse_listen_address("host:99999"), ConfigError);
    CHECK_THROWS_AS(parse_listen_address("::1:80"), ConfigError);
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.8.9.10"));
    CHECK(is_loopback_host("::1"));
    CHECK(is_loopback_host("localhost"));
    CHECK(is_loopback_host("::ffff:127.0.0.1"));
    CHECK_FALSE(is_loopback_host("0.0.0.0"));
    CHECK_FALSE(is_loopback_host("10.0.0.1"));
    CHECK_FALSE(is_loopback_host("localhost.example.com"));
}

TEST_CASE("origins are normalised and checked", "[config]") {
    CHECK(normalize_origin("HTTPS://Portal.Example:443") == "https://portal.example");
    CHECK(normalize_origin("https://portal.example:8443/") == "https://portal.example:8443");
    CHECK(normalize_origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
    CHECK_THROWS_WITH(normalize_origin("http://portal.example"), Catch::Contains("https"));
    CHECK_THROWS_AS(normalize_origin("https://portal.example/login"), ConfigError);
    CHECK_THROWS_AS(normalize_origin("https://user@portal.example"), ConfigError);
    CHECK_THROWS_AS(normalize_origin("portal.example"), ConfigError);
    CHECK_THROWS_AS(normalize_origin("https://"), ConfigError);
}

TEST_CASE("cross-field rules", "[config]") {
    ServerConfig c;
    c.tls.certificate = "a.pem";
    CHECK_THROWS_WITH(validate_config(c), Catch::Contains("together"));
    c = ServerConfig{};
    c.admin.token = "short";
    CHECK_THROWS_WITH(validate_config(c), Catch::Contains("at least 16"));
    c = ServerConfig{};
    c.sessions.absolute_timeout_seconds = 10;
    c.sessions.idle_timeout_seconds = 20;
    CHECK_THROWS_AS(validate_config(c), ConfigError);
    c = ServerConfig{};
    c.database.synchronous = "off";
    CHECK_THROWS_AS(validate_config(c), ConfigError);
    c = ServerConfig{};
    c.crl.urls = {"ldap://x"};
    CHECK_THROWS_AS(validate_config(c), ConfigError);
    c = ServerConfig{};
    c.sessions.cookie_name = "a b";
    CHECK_THROWS_AS(validate_config(c), ConfigError);
}

TEST_CASE("thread count default suits a small machine", "[config]") {
    HttpConfig h;
    CHECK(effective_thread_count(h) >= 16);
    h.threads = 3;
    CHECK(effective_thread_count(h) == 3);
}

TEST_CASE("the shipped example configuration parses", "[config]") {
    // Everything but the admin token file, which only exists on a real installation.
    std::ifstream in(std::string(PKIBRIDGE_SOURCE_DIR) +
                     "/verify-server/config/pkibridge-server.example.json");
    REQUIRE(in);
    json doc = json::parse(in);
    doc["admin"].erase("tokenFile");
    ServerConfig c = parse_config(doc, "/etc/pkibridge");
    CHECK(c.origins == std::vector<std::string>{"https://portal.example.gov.tw"});
    CHECK(c.trust.anchors.size() == 2);
    CHECK(c.listen.host == "0.0.0.0");
    CHECK_NOTHROW(validate_config(c));
}
