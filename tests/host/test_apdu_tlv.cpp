// APDU encoding, chaining, response parsing and BER-TLV parsing (including hostile input).
#include <catch2/catch.hpp>

#include <deque>

#include "apdu/apdu_error.hpp"
#include "apdu/apdu_exchanger.hpp"
#include "apdu/command_apdu.hpp"
#include "apdu/tlv.hpp"

using namespace pkibridge::host::apdu;
using pkibridge::pkcs::Bytes;

TEST_CASE("short APDU encoding covers the four cases", "[apdu]") {
    CommandApdu c;
    c.ins = 0x20;
    c.p2 = 0x80;
    const auto case1 = encode_short(c);
    CHECK(Bytes(case1.begin(), case1.end()) == Bytes{0x00, 0x20, 0x00, 0x80});
    c.le = 256;
    CHECK(encode_short(c).back() == 0x00);
    c.data = {1, 2, 3};
    const auto with_data = encode_short(c);
    CHECK(Bytes(with_data.begin(), with_data.end()) ==
          Bytes{0x00, 0x20, 0x00, 0x80, 3, 1, 2, 3, 0x00});
    c.data.assign(256, 0);
    CHECK_THROWS_AS(encode_short(c), std::invalid_argument);
    c.data.clear();
    c.le = 0;
    CHECK_THROWS_AS(encode_short(c), std::invalid_argument);
}

TEST_CASE("long data is chained with CLA bit 0x10", "[apdu]") {
    CommandApdu c;
    c.ins = 0x87;
    c.data.assign(600, 0xAB);
    c.le = 256;
    const auto parts = chain_command(c);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].cla == 0x10);
    CHECK(parts[1].cla == 0x10);
    CHECK(parts[2].cla == 0x00);
    CHECK(parts[0].data.size() == 255);
    CHECK(parts[2].data.size() == 90);
    CHECK_FALSE(parts[0].le);
    CHECK(parts[2].le == std::optional<std::size_t>(256));
}

TEST_CASE("responses need two status bytes", "[apdu]") {
    const ResponseApdu r = parse_response(Bytes{0xAA, 0x63, 0xC2});
    CHECK(r.data == Bytes{0xAA});
    CHECK(r.sw == 0x63C2);
    CHECK(sw_hex(r.sw) == "63C2");
    CHECK_THROWS_AS(parse_response(Bytes{0x90}), MalformedResponse);
    CHECK_THROWS_AS(parse_response(Bytes{}), MalformedResponse);
}

TEST_CASE("BER-TLV parsing", "[tlv]") {
    const Bytes data = {0x53, 0x0A, 0x70, 0x03, 1,    2,    3,    0x71, 0x01,
                        0x00, 0xFE, 0x00, 0x5F, 0xC1, 0x02, 0x81, 0x01, 0x42};
    const auto tlvs = parse_tlvs(data);
    REQUIRE(tlvs.size() == 2);
    CHECK(tlvs[0].tag == 0x53);
    CHECK(tlvs[0].value.size() == 10);
    CHECK(tlvs[1].tag == 0x5FC102);
    CHECK(tlvs[1].value[0] == 0x42);
    const auto inner = parse_tlvs(tlvs[0].value);
    REQUIRE(inner.size() == 3);
    CHECK(inner[2].tag == 0xFE);
    CHECK(find_tlv(tlvs[0].value, 0x71)->value[0] == 0);
    CHECK_FALSE(find_tlv(tlvs[0].value, 0x72));
}

TEST_CASE("malformed TLV is rejected, never read past", "[tlv]") {
    auto bad = [](Bytes b) { CHECK_THROWS_AS(parse_tlvs(b), MalformedResponse); };
    bad({0x53});                          // no length
    bad({0x53, 0x05, 1, 2});              // value truncated
    bad({0x53, 0x80});                    // indefinite length
    bad({0x53, 0x84, 0, 0, 0, 1});        // length of four bytes
    bad({0x53, 0x82, 0x01});              // length bytes truncated
    bad({0x5F});                          // multi-byte tag truncated
    bad({0x5F, 0xC1, 0x81, 0x82, 0x01});  // tag longer than three bytes
    bad({0x53, 0x83, 0xFF, 0xFF, 0xFF});  // huge length, no data
    CHECK_THROWS_AS(expect_tlv(Bytes{0x7C, 0x00}, 0x53, "x"), MalformedResponse);
    CHECK_THROWS_AS(expect_tlv(Bytes{}, 0x53, "x"), MalformedResponse);
}

TEST_CASE("TLV encoding round-trips through the parser", "[tlv]") {
    for (std::size_t n : {0u, 1u, 127u, 128u, 255u, 256u, 70000u}) {
        Bytes out;
        append_tlv(out, 0x5FC105, Bytes(n, 0x11));
        const Tlv t = expect_tlv(out, 0x5FC105, "x");
        CHECK(t.value.size() == n);
        CHECK(t.encoded_size == out.size());
    }
}

namespace {

// A channel that plays back fixed responses: stands in for cards that misbehave in ways
// no real card on this machine does (endless 61xx, wrong Le).
struct ScriptedChannel : ApduChannel {
    std::deque<Bytes> responses;
    std::vector<Bytes> sent;
    Bytes transmit(pkibridge::pkcs::ByteView command) override {
        sent.emplace_back(command.begin(), command.end());
        if (responses.empty()) return {0x6F, 0x00};
        Bytes r = responses.front();
        responses.pop_front();
        return r;
    }
};

}  // namespace

TEST_CASE("exchanger follows 61xx and 6Cxx", "[apdu]") {
    ScriptedChannel ch;
    ch.responses = {{0x6C, 0x04}, {1, 2, 0x61, 0x02}, {3, 4, 0x90, 0x00}};
    ApduExchanger ex(ch);
    CommandApdu c;
    c.ins = 0xCA;
    c.le = 256;
    const ResponseApdu r = ex.exchange(c);
    CHECK(r.ok());
    CHECK(r.data == Bytes{1, 2, 3, 4});
    REQUIRE(ch.sent.size() == 3);
    CHECK(ch.sent[1].back() == 0x04);                          // repeated with Le = 4
    CHECK(ch.sent[2] == Bytes{0x00, 0xC0, 0x00, 0x00, 0x02});  // GET RESPONSE
}

TEST_CASE("exchanger bounds a card that never stops sending", "[apdu]") {
    ScriptedChannel ch;
    for (int i = 0; i < 400; ++i) ch.responses.push_back({0xEE, 0x61, 0x00});
    ApduExchanger ex(ch, ExchangeLimits{1 << 20, 50});
    CommandApdu c;
    c.ins = 0xCB;
    CHECK_THROWS_AS(ex.exchange(c), MalformedResponse);
    ScriptedChannel big;
    for (int i = 0; i < 400; ++i) {
        Bytes chunk(256, 0xEE);
        chunk.push_back(0x61);
        chunk.push_back(0x00);
        big.responses.push_back(chunk);
    }
    ApduExchanger small(big, ExchangeLimits{4096, 300});
    CHECK_THROWS_WITH(small.exchange(c), Catch::Contains("size limit"));
}

TEST_CASE("a refused chain part ends the chain", "[apdu]") {
    ScriptedChannel ch;
    ch.responses = {{0x6A, 0x80}};
    ApduExchanger ex(ch);
    CommandApdu c;
    c.ins = 0x87;
    c.data.assign(300, 1);
    CHECK(ex.exchange(c).sw == 0x6A80);
    CHECK(ch.sent.size() == 1);
}
