// Native messaging framing: complete, split, oversized, truncated and fatal frames.
#include <catch2/catch.hpp>

#include <cstring>

#include "messaging/frame_decoder.hpp"

using pkibridge::host::messaging::FrameDecoder;
using pkibridge::host::messaging::FrameEvent;
using Kind = FrameEvent::Kind;

namespace {

std::string frame(const std::string& body, std::uint32_t declared) {
    std::string out(4, '\0');
    std::memcpy(out.data(), &declared, 4);
    return out + body;
}
std::string frame(const std::string& body) {
    return frame(body, static_cast<std::uint32_t>(body.size()));
}

std::vector<FrameEvent> feed(FrameDecoder& d, const std::string& bytes) {
    std::vector<FrameEvent> events;
    d.feed({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, events);
    return events;
}

}  // namespace

TEST_CASE("a whole frame yields its body", "[framing]") {
    FrameDecoder d(1024, 1 << 20);
    auto events = feed(d, frame(R"({"id":1})"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == Kind::Frame);
    CHECK(events[0].body == R"({"id":1})");
    CHECK_FALSE(d.mid_frame());
}

TEST_CASE("frames split at every byte boundary reassemble", "[framing]") {
    const std::string stream = frame("first") + frame("second message") + frame("");
    FrameDecoder d(1024, 1 << 20);
    std::vector<FrameEvent> all;
    for (char c : stream)
        for (auto& e : feed(d, std::string(1, c))) all.push_back(std::move(e));
    REQUIRE(all.size() == 3);
    CHECK(all[0].body == "first");
    CHECK(all[1].body == "second message");
    CHECK(all[2].kind == Kind::Frame);
    CHECK(all[2].body.empty());
}

TEST_CASE("several frames in one chunk", "[framing]") {
    FrameDecoder d(1024, 1 << 20);
    auto events = feed(d, frame("a") + frame("bb") + frame("ccc"));
    REQUIRE(events.size() == 3);
    CHECK(events[2].body == "ccc");
}

TEST_CASE("an oversized frame is reported at once and its body skipped", "[framing]") {
    FrameDecoder d(16, 1 << 20);
    const std::string big(100, 'x');
    auto events = feed(d, frame(big).substr(0, 4));  // header only
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == Kind::TooLarge);
    CHECK(events[0].declared == 100);
    CHECK(d.mid_frame());
    // The body is swallowed as it arrives; the next frame is read normally.
    events = feed(d, big.substr(0, 60));
    CHECK(events.empty());
    events = feed(d, big.substr(60) + frame("next"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == Kind::Frame);
    CHECK(events[0].body == "next");
}

TEST_CASE("a length beyond the hard cap is fatal and stops decoding", "[framing]") {
    FrameDecoder d(16, 1000);
    auto events = feed(d, frame("", 5000) + frame("ignored"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == Kind::Fatal);
    CHECK(d.failed());
    CHECK(feed(d, frame("more")).empty());
}

TEST_CASE("abandoning a partial header or body reports Truncated and resynchronises", "[framing]") {
    FrameDecoder d(1024, 1 << 20);
    CHECK(feed(d, std::string("\x05\x00", 2)).empty());
    auto t = d.abandon_partial();
    REQUIRE(t);
    CHECK(t->kind == Kind::Truncated);
    CHECK(t->declared == 0);
    CHECK(t->received == 2);

    CHECK(feed(d, frame("x", 10)).empty());  // declares 10, sends 1
    t = d.abandon_partial();
    REQUIRE(t);
    CHECK(t->declared == 10);
    CHECK(t->received == 1);

    auto events = feed(d, frame("ok"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].body == "ok");
    CHECK_FALSE(d.abandon_partial());  // nothing partial now
}

TEST_CASE("a zero-length frame is a frame with an empty body", "[framing]") {
    FrameDecoder d(1024, 1 << 20);
    auto events = feed(d, frame(""));
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == Kind::Frame);
    CHECK(events[0].body.empty());
}
