// The SMTP mailer's message format (RFC 2047 subject, base64 UTF-8 body, Date and
// Message-ID) and its errors; delivery itself is tested against a real SMTP sink in
// tests/server/integration/test_portal_auth.py.
#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "services/mail/smtp_mailer.hpp"

using namespace pkibridge::server;

TEST_CASE("subjects are RFC 2047 encoded words split on UTF-8 boundaries", "[portal][mail]") {
    CHECK(rfc2047_encode("Plain subject") == "Plain subject");
    const std::string zh = "一日密碼檢查碼 / One-day password check code";
    const std::string enc = rfc2047_encode(zh);
    CHECK(enc.rfind("=?UTF-8?B?", 0) == 0);
    // Decode every word and glue: the original text comes back.
    std::string decoded;
    std::size_t at = 0;
    while ((at = enc.find("=?UTF-8?B?", at)) != std::string::npos) {
        const auto end = enc.find("?=", at + 10);
        REQUIRE(end != std::string::npos);
        CHECK(end + 2 - at <= 75);
        auto bytes = pkibridge::pkcs::base64_decode(enc.substr(at + 10, end - at - 10));
        decoded += pkibridge::pkcs::to_string(bytes);
        at = end + 2;
    }
    CHECK(decoded == zh);
}

TEST_CASE("the message carries Date, Message-ID and a base64 UTF-8 body", "[portal][mail]") {
    ManualClock clock(std::chrono::system_clock::from_time_t(1795363200));
    SmtpConfig cfg;
    cfg.url = "smtp://127.0.0.1:1";
    cfg.from = "portal@example.gov.tw";
    SmtpMailer mailer(cfg, clock);
    const std::string text = mailer.format({"user@example.tw", "測試", "內文 body\n"}, "<id@x>");
    CHECK(text.find("Date: Sun, 22 Nov 2026 16:00:00 +0000\r\n") != std::string::npos);
    CHECK(text.find("Message-ID: <id@x>\r\n") != std::string::npos);
    CHECK(text.find("Subject: =?UTF-8?B?") != std::string::npos);
    CHECK(text.find("Content-Transfer-Encoding: base64\r\n") != std::string::npos);
    const auto body = text.substr(text.find("\r\n\r\n") + 4);
    std::string joined;
    for (char c : body)
        if (c != '\r' && c != '\n') joined.push_back(c);
    CHECK(pkibridge::pkcs::to_string(pkibridge::pkcs::base64_decode(joined)) == "內文 body\n");
    CHECK_THROWS_AS(mailer.format({"a@b\r\nBcc: x@y", "s", "b"}, "<i@x>"), MailError);
}

TEST_CASE("delivery failures and a disabled mailer throw MailError", "[portal][mail]") {
    SystemClock clock;
    SmtpConfig off;
    SmtpMailer disabled(off, clock);
    CHECK_FALSE(disabled.enabled());
    CHECK_THROWS_AS(disabled.send({"a@b.tw", "s", "b"}), MailError);
    SmtpConfig cfg;
    cfg.url = "smtp://127.0.0.1:1";  // nothing listens on port 1
    cfg.from = "portal@example.gov.tw";
    cfg.timeout_seconds = 2;
    SmtpMailer refused(cfg, clock);
    CHECK_THROWS_AS(refused.send({"a@b.tw", "s", "b"}), MailError);
}
