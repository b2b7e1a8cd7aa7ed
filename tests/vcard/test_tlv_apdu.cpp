// BER-TLV and APDU parsing: the two places where raw bytes from a client enter the card.
#include <catch2/catch.hpp>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/apdu.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/tlv.hpp"

using namespace pkibridge::vcard;
using pkibridge::pkcs::hex_decode;
using pkibridge::pkcs::hex_encode;

TEST_CASE("TLV encoding uses short and long length forms and multi-byte tags") {
    CHECK(hex_encode(make_tlv(0x53, Bytes(3, 0xAA))) == "5303aaaaaa");
    CHECK(hex_encode(make_tlv(0x5FC102, Bytes{})) == "5fc10200");
    Bytes v200(200, 1);
    CHECK(hex_encode(make_tlv(0x70, v200)).substr(0, 6) == "7081c8");
    Bytes v300(300, 1);
    CHECK(hex_encode(make_tlv(0x7F49, v300)).substr(0, 10) == "7f4982012c");
    CHECK(hex_encode(tag_bytes(0x7E)) == "7e");
    CHECK(hex_encode(tag_bytes(0x5FC105)) == "5fc105");
}

TEST_CASE("TLV parsing round-trips and finds tags") {
    Bytes buf;
    append_tlv(buf, 0x5C, hex_decode("5fc102"));
    append_tlv(buf, 0x53, Bytes(300, 7));
    auto tlvs = parse_tlvs(buf);
    REQUIRE(tlvs.size() == 2);
    CHECK(tlvs[0].tag == 0x5C);
    CHECK(tag_from_bytes(tlvs[0].value) == 0x5FC102u);
    CHECK(tlvs[1].tag == 0x53);
    CHECK(tlvs[1].value.size() == 300);
    CHECK(find_tlv(tlvs, 0x53).has_value());
    CHECK_FALSE(find_tlv(tlvs, 0x70).has_value());
}

TEST_CASE("Malformed TLVs are rejected with 6A80, never read past the buffer") {
    const char* bad[] = {
        "53",          // header only
        "5305aabb",    // length beyond the data
        "5f",          // truncated multi-byte tag
        "5fc1",        // truncated multi-byte tag
        "5382",        // truncated long length
        "538201",      // truncated long length
        "7c80000000",  // indefinite length
        "5384ffffffff00",
    };
    for (const char* hex : bad) {
        INFO(hex);
        try {
            parse_tlvs(hex_decode(hex));
            FAIL("accepted");
        } catch (const StatusError& e) {
            CHECK(e.sw() == 0x6A80);
        }
    }
    CHECK_THROWS_AS(expect_single_tlv(hex_decode("53015c"), 0x7C), StatusError);
    CHECK_THROWS_AS(expect_single_tlv(hex_decode("7c007c00"), 0x7C), StatusError);
}

TEST_CASE("tag_from_bytes accepts exactly one complete tag") {
    CHECK(tag_from_bytes(hex_decode("7e")) == 0x7Eu);
    CHECK(tag_from_bytes(hex_decode("5fc10a")) == 0x5FC10Au);
    CHECK_FALSE(tag_from_bytes(hex_decode("")).has_value());
    CHECK_FALSE(tag_from_bytes(hex_decode("5f")).has_value());
    CHECK_FALSE(tag_from_bytes(hex_decode("7e01")).has_value());
    CHECK_FALSE(tag_from_bytes(hex_decode("5fc1c1c1")).has_value());
}

TEST_CASE("APDU parsing covers the four cases in short and extended form") {
    auto c1 = parse_command(hex_decode("00a40400"));
    CHECK(c1.data.empty());
    CHECK_FALSE(c1.le_present);

    auto c2 = parse_command(hex_decode("00cb3fff00"));
    CHECK(c2.le_present);
    CHECK(c2.ne == 256);

    auto c3 = parse_command(hex_decode("0020008008313233343536ffff"));
    CHECK(c3.data.size() == 8);
    CHECK_FALSE(c3.le_present);

    auto c4 = parse_command(hex_decode("00a4040005a00000030800"));
    CHECK(c4.data.size() == 5);
    CHECK(c4.ne == 256);
    CHECK(c4.p1p2() == 0x0400);

    auto e2 = parse_command(hex_decode("00cb3fff000000"));
    CHECK(e2.extended);
    CHECK(e2.ne == 65536);

    auto e4 = parse_command(hex_decode("00db3fff000003aabbcc0100"));
    CHECK(e4.extended);
    CHECK(e4.data.size() == 3);
    CHECK(e4.ne == 256);
}

TEST_CASE("Malformed APDUs are rejected with 6700") {
    const char* bad[] = {"",
                         "00",
                         "00a404",
                         "00a4040005a000",
                         "00a4040002a0000000",
                         "00cb3fff0000",
                         "00cb3fff000005aa",
                         "00cb3fff000000aa"};
    for (const char* hex : bad) {
        INFO(hex);
        try {
            parse_command(hex_decode(hex));
            FAIL("accepted");
        } catch (const StatusError& e) {
            CHECK(e.sw() == 0x6700);
        }
    }
}
