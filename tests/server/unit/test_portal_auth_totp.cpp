// TOTP (RFC 6238 test vectors through liboath), base32, the otpauth URI and its QR SVG,
// and the TOTP service's versions and replay protection on a real SQLite file.
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>

#include "core/clock.hpp"
#include "services/auth/totp.hpp"
#include "services/auth/totp_service.hpp"
#include "services/portal_services.hpp"
#include "store/portal/credential_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;

TEST_CASE("TOTP codes match the RFC 6238 SHA-1 test vectors", "[portal][auth][totp]") {
    const std::string secret = "12345678901234567890";
    CHECK(totp_code(secret, 59, 8) == "94287082");
    CHECK(totp_code(secret, 1111111109, 8) == "07081804");
    CHECK(totp_code(secret, 1111111111, 8) == "14050471");
    CHECK(totp_code(secret, 1234567890, 8) == "89005924");
    CHECK(totp_code(secret, 2000000000, 8) == "69279037");
    CHECK(totp_code(secret, 20000000000, 8) == "65353130");
    // Six digits (authenticator apps) are the last six of the same value.
    CHECK(totp_code(secret, 59) == "287082");
}

TEST_CASE("TOTP matching accepts one step either side and names the step", "[portal][auth][totp]") {
    const std::string secret = "12345678901234567890";
    const std::int64_t now = 1234567890;  // step 41152263
    const std::string code = totp_code(secret, now);
    CHECK(totp_match(secret, now, code) == 41152263);
    CHECK(totp_match(secret, now + 30, code) == 41152263);
    CHECK(totp_match(secret, now - 30, code) == 41152263);
    CHECK_FALSE(totp_match(secret, now + 90, code));
    CHECK_FALSE(totp_match(secret, now, "12345"));
    CHECK_FALSE(totp_match(secret, now, "abcdef"));
}

TEST_CASE("base32 round trip and the otpauth URI", "[portal][auth][totp]") {
    CHECK(base32_encode("12345678901234567890") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    CHECK(base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == "12345678901234567890");
    CHECK_FALSE(base32_decode("not base32 !!"));
    const std::string uri = otpauth_uri("商工 portal", "A123456789 v2", "GEZDGNBV");
    CHECK(uri ==
          "otpauth://totp/%E5%95%86%E5%B7%A5%20portal:A123456789%20v2?secret=GEZDGNBV"
          "&issuer=%E5%95%86%E5%B7%A5%20portal&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("the QR code is an SVG of the matrix with a quiet zone", "[portal][auth][totp]") {
    const std::string svg = qr_svg("otpauth://totp/x:y?secret=GEZDGNBV&issuer=x");
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    std::smatch m;
    REQUIRE(std::regex_search(svg, m, std::regex("viewBox=\"0 0 (\\d+) \\1\"")));
    const int size = std::stoi(m[1]);
    CHECK((size - 8 - 21) % 4 == 0);  // QR versions are 21 + 4k modules wide
    // The top-left finder pattern: module (4,4) to (10,4) dark.
    for (int x = 4; x <= 10; ++x)
        CHECK(svg.find("M" + std::to_string(x) + " 4h1v1h-1z") != std::string::npos);
}

TEST_CASE("TOTP service: rebuild makes a new version, old codes and replays fail",
          "[portal][auth][totp]") {
    pkibridge::testing::TempDir dir;
    SqliteAccountStore store(dir / "t.db", SqliteStoreOptions{});
    ManualClock clock(std::chrono::system_clock::from_time_t(1800000000));
    PortalConfig config;
    PortalServices portal{PortalCalendar(480)};
    CredentialStore creds(store);
    TotpService totp(creds, config, clock, portal);
    AccountProfile p;
    p.national_id = "A123456789";
    p.name = "Alice";
    Account a = store.create_account(p, "test");

    CHECK_FALSE(totp.status(a.id).enrolled);
    CHECK(totp.check(a.id, "123456") == TotpCheck::NotEnrolled);
    TotpEnrollment v1 = totp.rebuild(a, "");
    CHECK(v1.version == 1);
    CHECK(v1.otpauth_uri.find("secret=" + v1.secret_base32) != std::string::npos);
    const std::string raw1 = *base32_decode(v1.secret_base32);
    CHECK(raw1.size() == 20);
    const std::string code1 = totp_code(raw1, clock.now_unix());
    CHECK(totp.check(a.id, code1) == TotpCheck::Accepted);
    CHECK(totp.check(a.id, code1) == TotpCheck::Invalid);  // replay of the same step

    clock.advance(std::chrono::seconds(30));
    TotpEnrollment v2 = totp.rebuild(a, "");
    CHECK(v2.version == 2);
    CHECK(v2.secret_base32 != v1.secret_base32);
    CHECK(totp.status(a.id).version == 2);
    CHECK(totp.check(a.id, totp_code(raw1, clock.now_unix())) == TotpCheck::Invalid);
    const std::string raw2 = *base32_decode(v2.secret_base32);
    CHECK(totp.check(a.id, totp_code(raw2, clock.now_unix())) == TotpCheck::Accepted);
    // An older step (previous window) after a newer one was used: refused.
    CHECK(totp.check(a.id, totp_code(raw2, clock.now_unix() - 30)) == TotpCheck::Invalid);
}
