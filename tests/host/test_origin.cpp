// Origin normalisation and allow-list matching.
#include <catch2/catch.hpp>

#include "config/origin.hpp"

using namespace pkibridge::host::config;

TEST_CASE("origins are normalised", "[origin]") {
    CHECK(parse_origin("https://Portal.Example")->serialize() == "https://portal.example");
    CHECK(parse_origin("HTTPS://portal.example:443")->serialize() == "https://portal.example");
    CHECK(parse_origin("https://portal.example:8443/")->serialize() ==
          "https://portal.example:8443");
    CHECK(parse_origin("http://localhost:80")->serialize() == "http://localhost");
    CHECK(parse_origin("https://[::1]:9443")->serialize() == "https://[::1]:9443");
    CHECK(parse_origin("https://127.0.0.1")->serialize() == "https://127.0.0.1");
}

TEST_CASE("non-origins are rejected", "[origin]") {
    for (const char* bad :
         {"", "portal.example", "https://", "https://portal.example/path",
          "https://portal.example?q", "https://portal.example#f", "https://user@portal.example",
          "https://portal.example:0", "https://portal.example:65536",
          "https://portal.example:", "https://portal.example:8x", "https://-bad.example",
          "https://a..b", "https://por tal.example", "https://portal.example:443:443",
          "https://\xe5\x8f\xb0.example", "foo://portal.example", "https://[::1",
          "https://portal.example\\evil"}) {
        INFO(bad);
        CHECK_FALSE(parse_origin(bad));
    }
}

TEST_CASE("patterns: exact, port and subdomain wildcard", "[origin]") {
    const std::vector<OriginPattern> list = {parse_origin_pattern("https://portal.example"),
                                             parse_origin_pattern("https://*.gov.example:8443")};
    CHECK(origin_allowed(list, "https://portal.example"));
    CHECK(origin_allowed(list, "https://PORTAL.example:443"));
    CHECK_FALSE(origin_allowed(list, "http://portal.example"));
    CHECK_FALSE(origin_allowed(list, "https://portal.example:8443"));
    CHECK_FALSE(origin_allowed(list, "https://www.portal.example"));
    CHECK_FALSE(origin_allowed(list, "https://portal.example.evil"));
    CHECK_FALSE(origin_allowed(list, "https://evilportal.example"));
    CHECK(origin_allowed(list, "https://a.gov.example:8443"));
    CHECK(origin_allowed(list, "https://a.b.gov.example:8443"));
    CHECK_FALSE(origin_allowed(list, "https://gov.example:8443"));
    CHECK_FALSE(origin_allowed(list, "https://a.gov.example"));
    CHECK_FALSE(origin_allowed(list, "https://agov.example:8443"));
    CHECK_FALSE(origin_allowed(list, "chrome-extension://abcdef"));
    CHECK_FALSE(origin_allowed(list, "not an origin"));
}

TEST_CASE("bad patterns say why", "[origin]") {
    CHECK_THROWS_WITH(parse_origin_pattern("http://portal.example"), Catch::Contains("https"));
    CHECK_THROWS_WITH(parse_origin_pattern("https://*"), Catch::Contains("wildcard"));
    CHECK_THROWS_WITH(parse_origin_pattern("https://*.com"), Catch::Contains("too broad"));
    CHECK_THROWS_WITH(parse_origin_pattern("https://a.*.example"), Catch::Contains("wildcard"));
    CHECK_THROWS_WITH(parse_origin_pattern("https://portal.example/login"),
                      Catch::Contains("origin"));
    CHECK(parse_origin_pattern("https://Portal.Example:443/").text == "https://portal.example");
}
