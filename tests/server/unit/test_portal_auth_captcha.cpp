// CAPTCHA: single use, expiry, bounded memory, case-insensitive answers, and a picture
// that is a real PNG (signature, chunk CRCs, IDAT that zlib inflates to the image size);
// the sliding-window rate limiter.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <chrono>
#include <set>

#include "core/clock.hpp"
#include "services/auth/captcha_image.hpp"
#include "services/auth/captcha_service.hpp"
#include "services/auth/rate_limiter.hpp"

using namespace pkibridge::server;

namespace {

std::uint32_t be32(const std::string& s, std::size_t at) {
    return (std::uint32_t(std::uint8_t(s[at])) << 24) |
           (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

struct Png {
    std::uint32_t width = 0, height = 0;
    int depth = 0, colour = 0;
    std::string idat;
    bool crc_ok = true;
    bool ended = false;
};

Png parse_png(const std::string& png) {
    Png out;
    REQUIRE(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    std::size_t at = 8;
    while (at + 12 <= png.size()) {
        const std::uint32_t len = be32(png, at);
        const std::string type = png.substr(at + 4, 4);
        const std::string data = png.substr(at + 8, len);
        const std::uint32_t crc = be32(png, at + 8 + len);
        const std::string typed = png.substr(at + 4, 4 + len);
        if (crc32(0, reinterpret_cast<const Bytef*>(typed.data()), uInt(typed.size())) != crc)
            out.crc_ok = false;
        if (type == "IHDR") {
            out.width = be32(data, 0);
            out.height = be32(data, 4);
            out.depth = data[8];
            out.colour = data[9];
        } else if (type == "IDAT") {
            out.idat += data;
        } else if (type == "IEND") {
            out.ended = true;
        }
        at += 12 + len;
    }
    return out;
}

}  // namespace

TEST_CASE("the CAPTCHA picture is a decodable greyscale PNG", "[portal][auth][captcha]") {
    const GreyImage img = render_captcha("AC3K9");
    const Png png = parse_png(encode_png(img));
    CHECK(png.crc_ok);
    CHECK(png.ended);
    CHECK(png.width == std::uint32_t(img.width));
    CHECK(png.height == std::uint32_t(img.height));
    CHECK(png.depth == 8);
    CHECK(png.colour == 0);
    std::string raw((img.width + 1) * img.height, '\0');
    uLongf raw_len = raw.size();
    REQUIRE(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len,
                       reinterpret_cast<const Bytef*>(png.idat.data()), png.idat.size()) == Z_OK);
    CHECK(raw_len == raw.size());
    // Every scanline starts with filter 0 and the pixels are the image's.
    int dark = 0;
    for (int y = 0; y < img.height; ++y) {
        CHECK(raw[std::size_t(y * (img.width + 1))] == 0);
        for (int x = 0; x < img.width; ++x) {
            const auto v = std::uint8_t(raw[std::size_t(y * (img.width + 1) + 1 + x)]);
            CHECK(v == img.pixels[std::size_t(y * img.width + x)]);
            dark += v < 100;
        }
    }
    // Ink was drawn: five glyphs at 4x scale cover several hundred pixels.
    CHECK(dark > 400);
    CHECK_THROWS(render_captcha("O"));  // not in the unambiguous alphabet
}

TEST_CASE("two renderings of the same text differ (random distortion)", "[portal][auth][captcha]") {
    CHECK(render_captcha("ACDEF").pixels != render_captcha("ACDEF").pixels);
}

TEST_CASE("CAPTCHA answers are single use, right or wrong", "[portal][auth][captcha]") {
    ManualClock clock;
    CaptchaService captchas(clock, 300);
    auto c = captchas.issue();
    CHECK(c.answer.size() == 5);
    for (char ch : c.answer) CHECK(kCaptchaAlphabet.find(ch) != std::string_view::npos);
    CHECK(c.png.substr(1, 3) == "PNG");
    std::string lower = c.answer;
    for (auto& ch : lower) ch = char(std::tolower(ch));
    CHECK(captchas.consume(c.id, " " + lower + " ") == CaptchaOutcome::Accepted);
    CHECK(captchas.consume(c.id, c.answer) == CaptchaOutcome::Unknown);  // reuse

    auto d = captchas.issue();
    CHECK(captchas.consume(d.id, "ZZZZZ") == CaptchaOutcome::Wrong);
    CHECK(captchas.consume(d.id, d.answer) == CaptchaOutcome::Unknown);  // burnt by the miss
    CHECK(captchas.consume("no-such-id", "ACDEF") == CaptchaOutcome::Unknown);
}

TEST_CASE("CAPTCHAs expire and the store stays bounded", "[portal][auth][captcha]") {
    ManualClock clock;
    CaptchaService captchas(clock, 300, 3);
    auto c = captchas.issue();
    clock.advance(std::chrono::seconds(301));
    CHECK(captchas.consume(c.id, c.answer) == CaptchaOutcome::Expired);

    std::set<std::string> ids;
    std::vector<IssuedCaptcha> issued;
    for (int i = 0; i < 5; ++i) {
        issued.push_back(captchas.issue());
        ids.insert(issued.back().id);
    }
    CHECK(ids.size() == 5);
    CHECK(captchas.size() == 3);
    // The oldest gave way; the newest still work.
    CHECK(captchas.consume(issued[0].id, issued[0].answer) == CaptchaOutcome::Unknown);
    CHECK(captchas.consume(issued[4].id, issued[4].answer) == CaptchaOutcome::Accepted);
}

TEST_CASE("rate limiter: a sliding window per key", "[portal][auth][ratelimit]") {
    ManualClock clock;
    RateLimiter limiter(clock, 3, 60);
    CHECK_FALSE(limiter.hit("a"));
    clock.advance(std::chrono::seconds(10));
    CHECK_FALSE(limiter.hit("a"));
    CHECK_FALSE(limiter.hit("a"));
    auto retry = limiter.hit("a");
    REQUIRE(retry);
    CHECK(*retry == 50);            // the first hit leaves the window in 50 s
    CHECK_FALSE(limiter.hit("b"));  // keys are independent
    clock.advance(std::chrono::seconds(50));
    CHECK_FALSE(limiter.hit("a"));  // the first hit left the window
    CHECK(limiter.hit("a"));        // refused attempts are not counted, the others are

    RateLimiter bounded(clock, 1, 60, 2);
    CHECK_FALSE(bounded.hit("x"));
    CHECK_FALSE(bounded.hit("y"));
    CHECK_FALSE(bounded.hit("z"));  // full of live keys: forgets rather than grows
    CHECK(bounded.keys() <= 2);
}
