// PIV data objects, PIN blocks and status words.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "apdu/apdu_error.hpp"
#include "apdu/tlv.hpp"
#include "piv/gunzip.hpp"
#include "piv/piv_objects.hpp"

using namespace pkibridge::host;
using namespace pkibridge::host::piv;
using pkibridge::pkcs::Bytes;

namespace {

Bytes gzip(const Bytes& data) {
    z_stream s{};
    REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    Bytes out(data.size() + 64);
    s.next_in = const_cast<Bytef*>(data.data());
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

Bytes cert_object(const Bytes& cert, std::uint8_t info) {
    Bytes inner;
    apdu::append_tlv(inner, 0x70, cert);
    apdu::append_tlv(inner, 0x71, Bytes{info});
    apdu::append_tlv(inner, 0xFE, Bytes{});
    Bytes outer;
    apdu::append_tlv(outer, 0x53, inner);
    return outer;
}

}  // namespace

TEST_CASE("commands have the SP 800-73-4 layout", "[piv]") {
    const auto get = apdu::encode_short(get_data_command(0x5FC105));
    CHECK(Bytes(get.begin(), get.end()) ==
          Bytes{0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x05, 0x00});
    const auto query = apdu::encode_short(verify_command(nullptr));
    CHECK(Bytes(query.begin(), query.end()) == Bytes{0x00, 0x20, 0x00, 0x80});
    const SecureBytes block = pin_block("123456");
    CHECK(Bytes(block.begin(), block.end()) == Bytes{'1', '2', '3', '4', '5', '6', 0xFF, 0xFF});
    const auto verify = apdu::encode_short(verify_command(&block));
    CHECK(verify.size() == 13);
    CHECK(verify[4] == 0x08);
    const auto reset = apdu::encode_short(reset_verify_command());
    CHECK(Bytes(reset.begin(), reset.end()) == Bytes{0x00, 0x20, 0xFF, 0x80});

    const auto ga = general_authenticate_command(0x07, 0x9C, Bytes(256, 0x01));
    CHECK(ga.p1 == 0x07);
    CHECK(ga.p2 == 0x9C);
    // 7C 82 01 06 { 82 00 81 82 01 00 <256> }
    CHECK(ga.data.size() == 4 + 2 + 4 + 256);
    CHECK(ga.data[0] == 0x7C);
    CHECK(ga.data[4] == 0x82);
    CHECK(ga.data[5] == 0x00);
    CHECK(ga.data[6] == 0x81);
}

TEST_CASE("certificate objects, plain and gzip-compressed", "[piv]") {
    const Bytes cert = {0x30, 0x82, 0x01, 0x00, 9, 9, 9, 9};
    CHECK(parse_certificate_object(cert_object(cert, 0x00)) == cert);
    CHECK(parse_certificate_object(cert_object(gzip(cert), 0x01)) == cert);
    CHECK_THROWS_AS(parse_certificate_object(cert_object(Bytes{1, 2, 3}, 0x01)),
                    apdu::MalformedResponse);
    CHECK_THROWS_AS(parse_certificate_object(Bytes{0x53, 0x02, 0x71, 0x00}),
                    apdu::MalformedResponse);
    CHECK_THROWS_AS(parse_certificate_object(Bytes{0x70, 0x01, 0x00}), apdu::MalformedResponse);
}

TEST_CASE("decompression is bounded", "[piv]") {
    const Bytes bomb = gzip(Bytes(1 << 20, 0));  // 1 MiB of zeros, ~1 KiB compressed
    CHECK_THROWS_WITH(gunzip(bomb, 16 * 1024), Catch::Contains("too large"));
    CHECK(gunzip(bomb, 2 << 20).size() == (1u << 20));
    Bytes truncated = gzip(Bytes(5000, 7));
    truncated.resize(truncated.size() / 2);
    CHECK_THROWS_AS(gunzip(truncated, 1 << 20), apdu::MalformedResponse);
}

TEST_CASE("card serial from the CHUID", "[piv]") {
    Bytes inner;
    apdu::append_tlv(inner, 0x30, Bytes(25, 0xD4));
    apdu::append_tlv(inner, 0x34,
                     Bytes{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0, 0, 0, 0, 0, 0, 0, 1});
    Bytes object;
    apdu::append_tlv(object, 0x53, inner);
    const Chuid chuid = parse_chuid(object);
    CHECK(card_serial_from_chuid(chuid) ==
          std::optional<std::string>("0123456789ABCDEF0000000000000001"));
    Chuid zero_guid{Bytes(25, 0xD4), Bytes(16, 0)};
    CHECK(card_serial_from_chuid(zero_guid)->size() == 50);  // falls back to the FASC-N
    CHECK_FALSE(card_serial_from_chuid(Chuid{}));
}

TEST_CASE("GENERAL AUTHENTICATE responses", "[piv]") {
    CHECK(parse_general_authenticate_response(Bytes{0x7C, 0x04, 0x82, 0x02, 0xAA, 0xBB}) ==
          Bytes{0xAA, 0xBB});
    CHECK_THROWS_AS(parse_general_authenticate_response(Bytes{0x7C, 0x02, 0x82, 0x00}),
                    apdu::MalformedResponse);
    CHECK_THROWS_AS(parse_general_authenticate_response(Bytes{0x7C, 0x02, 0x81, 0x00}),
                    apdu::MalformedResponse);
    CHECK_THROWS_AS(parse_general_authenticate_response(Bytes{0x7C, 0x05, 0x82}),
                    apdu::MalformedResponse);
}

TEST_CASE("VERIFY status words", "[piv]") {
    CHECK(interpret_verify_status(0x9000).kind == PinState::Kind::Verified);
    const PinState two = interpret_verify_status(0x63C2);
    CHECK(two.kind == PinState::Kind::WrongOrNotVerified);
    CHECK(two.tries_left == std::optional<int>(2));
    CHECK(interpret_verify_status(0x63C0).kind == PinState::Kind::Blocked);
    CHECK(interpret_verify_status(0x6983).kind == PinState::Kind::Blocked);
    CHECK(interpret_verify_status(0x6A86).kind == PinState::Kind::Other);
}
