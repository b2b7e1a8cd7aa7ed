#include <catch2/catch.hpp>

#include "http/cookies.hpp"
#include "services/chain_cache.hpp"
#include "services/metrics.hpp"

using namespace pkibridge::server;

TEST_CASE("cookie header parsing", "[cookies]") {
    CHECK(cookie_value("a=1; pkibridge_session=abc; b=2", "pkibridge_session") ==
          std::optional<std::string>("abc"));
    CHECK(cookie_value("pkibridge_session=\"q\"", "pkibridge_session") ==
          std::optional<std::string>("q"));
    CHECK_FALSE(cookie_value("xpkibridge_session=1", "pkibridge_session"));
    CHECK_FALSE(cookie_value("", "a"));
    CHECK_FALSE(cookie_value(";;;=;a", "a"));
}

TEST_CASE("Set-Cookie attributes", "[cookies]") {
    auto v = set_cookie_value("s", "v", CookieAttributes{true, std::nullopt});
    CHECK(v == "s=v; Path=/; HttpOnly; SameSite=Strict; Secure");
    auto insecure = set_cookie_value("s", "v", CookieAttributes{false, std::nullopt});
    CHECK(insecure.find("Secure") == std::string::npos);
    CHECK(insecure.find("HttpOnly") != std::string::npos);
    CHECK(expire_cookie_value("s", true).find("Max-Age=0") != std::string::npos);
}

TEST_CASE("metrics render in Prometheus text format", "[metrics]") {
    Metrics m;
    m.describe("x_total", "counter", "things");
    m.increment("x_total", {{"route", "/a"}, {"status", "200"}});
    m.increment("x_total", {{"route", "/a"}, {"status", "200"}});
    m.increment("x_total", {{"route", "/b\"q"}, {"status", "500"}});
    m.observe("lat_seconds", {{"route", "/a"}}, 0.003);
    m.add_collector([] { return std::vector<GaugeSample>{{"g", "a gauge", {}, 1.5}}; });
    std::string text = m.render();
    CHECK(text.find("# TYPE x_total counter") != std::string::npos);
    CHECK(text.find("x_total{route=\"/a\",status=\"200\"} 2") != std::string::npos);
    CHECK(text.find("route=\"/b\\\"q\"") != std::string::npos);
    CHECK(text.find("lat_seconds_bucket{route=\"/a\",le=\"0.005\"} 1") != std::string::npos);
    CHECK(text.find("lat_seconds_bucket{route=\"/a\",le=\"0.001\"} 0") != std::string::npos);
    CHECK(text.find("lat_seconds_count{route=\"/a\"} 1") != std::string::npos);
    CHECK(text.find("g 1.5") != std::string::npos);
    CHECK(m.counter_value("x_total", {{"route", "/a"}, {"status", "200"}}) == 2);
}

TEST_CASE("chain cache: expiry, generation keys and LRU bound", "[cache]") {
    ChainCache cache(2);
    pkibridge::pkcs::PathResult ok;
    ok.status = pkibridge::pkcs::ValidationStatus::Valid;
    auto k1 = ChainCache::make_key("aa", "p", 1);
    cache.insert(k1, ok, 100);
    CHECK(cache.find(k1, 99));
    CHECK_FALSE(cache.find(k1, 100));  // expired entries are dropped
    CHECK_FALSE(cache.find(ChainCache::make_key("aa", "p", 2), 0));
    cache.insert(ChainCache::make_key("a", "p", 1), ok, 100);
    cache.insert(ChainCache::make_key("b", "p", 1), ok, 100);
    CHECK(cache.find(ChainCache::make_key("a", "p", 1), 0));  // a is now most recent
    cache.insert(ChainCache::make_key("c", "p", 1), ok, 100);
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.find(ChainCache::make_key("b", "p", 1), 0));
    CHECK(cache.find(ChainCache::make_key("a", "p", 1), 0));
}
