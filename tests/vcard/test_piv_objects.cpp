#include <catch2/catch.hpp>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/card_state.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_objects.hpp"
#include "pkibridge/vcard/provision.hpp"
#include "pkibridge/vcard/tlv.hpp"

using namespace pkibridge::vcard;
using pkibridge::pkcs::hex_decode;
using pkibridge::pkcs::hex_encode;

TEST_CASE("FASC-N encoding reproduces the value yubico-piv-tool writes by default") {
    // yubico-piv-tool's default CHUID carries this FASC-N: agency 9999, system 9999,
    // credential 999999, CS 0, ICI 1, PI 0000000000, OC 3, OI 0000, POA 1.
    Fascn f;
    f.agency_code = "9999";
    f.system_code = "9999";
    f.credential_number = "999999";
    f.credential_series = "0";
    f.individual_credential_issue = "1";
    f.person_identifier = "0000000000";
    f.organizational_category = "3";
    f.organizational_identifier = "0000";
    f.person_association = "1";
    CHECK(hex_encode(encode_fascn(f)) == "d4e739da739ced39ce739d836858210842108421c84210c3eb");
    f.agency_code = "99a9";
    CHECK_THROWS_AS(encode_fascn(f), VcardError);
}

TEST_CASE("A blank card has CHUID, CCC, discovery and key history, and a GUID-based serial") {
    BlankCardOptions o;
    o.guid = hex_decode("00112233445566778899aabbccddeeff");
    CardState card = make_blank_card(o);
    CHECK(card_serial(card) == "00112233445566778899AABBCCDDEEFF");
    CHECK(card.serial == 0xccddeeffu % 100000000u);
    for (auto tag : {piv::tag::kChuid, piv::tag::kCardCapabilityContainer, piv::tag::kDiscovery,
                     piv::tag::kKeyHistory}) {
        CHECK(card.objects.count(tag) == 1);
    }
    auto chuid = parse_tlvs(card.objects[piv::tag::kChuid]);
    REQUIRE(find_tlv(chuid, 0x30).has_value());
    CHECK(find_tlv(chuid, 0x30)->size() == 25);
    CHECK(find_tlv(chuid, 0x35)->size() == 8);
    CHECK(card.management_key.key == default_management_key());
    CHECK(card.pin.tries_left == 3);
    CHECK(card.puk.max_tries == 3);
    // Random GUIDs are RFC 4122 version 4.
    CardState other = make_blank_card(BlankCardOptions{});
    std::string serial = card_serial(other);
    REQUIRE(serial.size() == 32);
    CHECK(serial[12] == '4');
}

TEST_CASE("Blank card options are validated") {
    BlankCardOptions o;
    o.pin = "12345";
    CHECK_THROWS_AS(make_blank_card(o), VcardError);
    o.pin = "12a456";
    CHECK_THROWS_AS(make_blank_card(o), VcardError);
    o.pin = "123456";
    o.guid = Bytes(15, 1);
    CHECK_THROWS_AS(make_blank_card(o), VcardError);
    o.guid.clear();
    o.management_key = Bytes(16, 1);  // 3DES needs 24
    CHECK_THROWS_AS(make_blank_card(o), VcardError);
}

TEST_CASE("Certificate objects carry the certificate uncompressed and are read back") {
    Bytes der = hex_decode("3003020101");
    Bytes obj = make_certificate_object(der);
    CHECK(hex_encode(obj) == "70053003020101710100fe00");
    auto back = certificate_from_object(obj);
    REQUIRE(back.has_value());
    CHECK(back->data == der);
    CHECK_FALSE(back->compressed);
    auto gz = certificate_from_object(hex_decode("7003aabbcc710101fe00"));
    REQUIRE(gz.has_value());
    CHECK(gz->compressed);
    CHECK_FALSE(certificate_from_object(hex_decode("7105")).has_value());
}

TEST_CASE("The application property template names the PIV PIX and the NIST RID") {
    Bytes apt = application_property_template();
    auto inner = parse_tlvs(expect_single_tlv(apt, 0x61));
    CHECK(hex_encode(*find_tlv(inner, 0x4F)) == "000010000100");
    CHECK(hex_encode(*find_tlv(inner, 0x79)) == "4f05a000000308");
    CHECK_FALSE(find_tlv(inner, 0xAC).has_value());  // no secure messaging offered
}
