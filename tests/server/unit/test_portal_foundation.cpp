// The portal's shared foundations: the Asia/Taipei calendar, the test clock, the portal /
// SMTP configuration and the rule that test hooks need a loopback listener.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "config/config.hpp"
#include "core/errors.hpp"
#include "core/offset_file_clock.hpp"
#include "core/portal_calendar.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using nlohmann::json;

TEST_CASE("portal days are counted in Asia/Taipei, not UTC", "[portal][calendar]") {
    PortalCalendar taipei;  // UTC+8
    // 2026-11-22T15:59:59Z is 23:59:59 in Taipei; one second later it is the next day.
    CHECK(taipei.day_of(1795363199) == "2026-11-22");
    CHECK(taipei.day_of(1795363200) == "2026-11-23");
    CHECK(taipei.start_of_day("2026-11-23") == 1795363200);
    CHECK(taipei.end_of_day(1795363199) == 1795363200);
    CHECK(taipei.end_of_day(1795363200) == 1795363200 + 86400);
    // Before 1970 and leap days still work (floor division, std::chrono calendar).
    CHECK(taipei.day_of(taipei.start_of_day("1968-02-29") + 3600) == "1968-02-29");
    CHECK(taipei.day_of(taipei.start_of_day("2028-02-29")) == "2028-02-29");

    PortalCalendar utc(0);
    CHECK(utc.day_of(1795363200) == "2026-11-22");  // 16:00 UTC
    CHECK(utc.day_of(1795363200 + 8 * 3600) == "2026-11-23");
}

TEST_CASE("bad portal dates are refused with a clear code", "[portal][calendar]") {
    PortalCalendar taipei;
    for (const char* bad :
         {"2026-02-30", "2026-13-01", "2026-1-01", "20261101", "", "2026-11-0x"}) {
        INFO(bad);
        try {
            taipei.start_of_day(bad);
            FAIL("accepted");
        } catch (const ServiceError& e) {
            CHECK(e.code() == "invalid-date");
        }
    }
}

TEST_CASE("the test clock follows the offset file as it changes", "[portal][clock]") {
    pkibridge::testing::TempDir dir;
    const auto file = dir / "offset";
    OffsetFileClock clock(file);
    const auto real = std::chrono::system_clock::now();
    // No file yet: real time.
    CHECK(std::chrono::abs(clock.now() - real) < std::chrono::seconds(5));

    std::ofstream(file) << 86400 * 2;
    CHECK(clock.now() - real > std::chrono::hours(47));

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ofstream(file) << -3600;  // a different size too, so the change is seen
    CHECK(clock.now() - real < std::chrono::minutes(-59));

    std::filesystem::remove(file);
    CHECK(std::chrono::abs(clock.now() - real) < std::chrono::seconds(5));
}

TEST_CASE("portal and smtp sections are read and checked", "[portal][config]") {
    pkibridge::testing::TempDir dir;
    std::ofstream(dir / "smtp-pass") << "s3cret\n";
    json doc = json::parse(R"({
      "portal": {"webRoot": "web", "utcOffsetMinutes": 0, "passwordMinLength": 14,
                 "lockoutAttempts": 5, "lockoutSeconds": 60, "inactivityDisableDays": 30,
                 "expiryNoticeDays": [10, 2], "rateLimit": {"perIpPerMinute": 7}},
      "smtp": {"url": "smtp://127.0.0.1:2525", "from": "portal@example.gov.tw",
               "passwordFile": "smtp-pass", "starttls": true}
    })");
    ServerConfig c = parse_config(doc, dir.path());
    CHECK(c.portal.web_root == dir / "web");
    CHECK(c.portal.utc_offset_minutes == 0);
    CHECK(c.portal.password_min_length == 14);
    CHECK(c.portal.lockout_attempts == 5);
    CHECK(c.portal.expiry_notice_days == std::vector<int>{10, 2});
    CHECK(c.portal.rate_limit.per_ip_per_minute == 7);
    CHECK(c.portal.rate_limit.per_account_per_minute == 10);  // default kept
    CHECK(c.smtp.password == "s3cret");
    CHECK(c.smtp.starttls);
    CHECK_NOTHROW(validate_config(c));
    // The password never appears in the printed configuration.
    CHECK(config_to_json(c).dump().find("s3cret") == std::string::npos);

    CHECK_THROWS_AS(parse_config(json::parse(R"({"portal": {"lockoutAttempts": 0}})"), "/"),
                    ConfigError);
    CHECK_THROWS_AS(parse_config(json::parse(R"({"portal": {"expiryNoticeDays": [-1]}})"), "/"),
                    ConfigError);
    CHECK_THROWS_AS(parse_config(json::parse(R"({"portal": {"typo": 1}})"), "/"), ConfigError);

    ServerConfig bad_url = c;
    bad_url.smtp.url = "http://mail.example";
    CHECK_THROWS_AS(validate_config(bad_url), ConfigError);
    ServerConfig no_from = c;
    no_from.smtp.from.clear();
    CHECK_THROWS_AS(validate_config(no_from), ConfigError);
}

TEST_CASE("test hooks are refused unless the server listens on loopback", "[portal][config]") {
    ServerConfig c;
    c.test_hooks.expose_captcha_answer = true;
    CHECK_NOTHROW(validate_config(c));  // 127.0.0.1 by default
    c.listen.host = "0.0.0.0";
    c.tls.certificate = "/x.pem";
    c.tls.private_key = "/x.key";
    CHECK_THROWS_AS(validate_config(c), ConfigError);
    c.test_hooks.expose_captcha_answer = false;
    c.test_hooks.clock_file = "/tmp/offset";
    CHECK_THROWS_AS(validate_config(c), ConfigError);
}
