// Certificate input handling: PEM, DER and base64 accepted; everything broken rejected
// with PkcsError(Malformed) and a specific message.
#include <openssl/x509.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/gpki_attributes.hpp"

using namespace pkibridge::pkcs;
using certtest::hierarchy;

namespace {

void require_malformed(ByteView data, const std::string& message_part) {
    try {
        Certificate::parse(data);
        FAIL("parse accepted bad input");
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::Malformed);
        CHECK_THAT(e.what(), Catch::Contains(message_part));
    }
}

}  // namespace

TEST_CASE("certificates parse from PEM, DER and base64 alike", "[cert][parse]") {
    const Certificate& ca = hierarchy().ca.certificate(TestCaId::Gca);
    Bytes der = ca.der();
    std::string pem = ca.pem();
    std::string b64 = base64_encode(der);
    CHECK(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
    CHECK(Certificate::parse(der) == ca);
    CHECK(Certificate::parse(as_bytes(pem)) == ca);
    CHECK(Certificate::parse(as_bytes(b64)) == ca);
    CHECK(Certificate::parse(as_bytes(b64.substr(0, 30) + "\n " + b64.substr(30) + "\n")) == ca);
    CHECK(Certificate::from_pem("leading text\n" + pem) == ca);
    // Copies share the object, equality is by content.
    Certificate copy = ca;
    CHECK(copy == ca);
    CHECK(copy.der() == der);

    auto all = parse_certificates(as_bytes(hierarchy().ca.root().pem() + pem));
    REQUIRE(all.size() == 2);
    CHECK(all[0] == hierarchy().ca.root());
    CHECK(all[1] == ca);
    auto bundle = load_certificates(hierarchy().ca.intermediates_path());
    CHECK(bundle.size() == 4);
}

TEST_CASE("broken certificate input is Malformed, never a crash", "[cert][parse]") {
    const Certificate& ca = hierarchy().ca.certificate(TestCaId::Moica);
    Bytes der = ca.der();
    std::string pem = ca.pem();

    require_malformed({}, "empty input");
    require_malformed(as_bytes("hello, world"), "neither PEM, DER nor base64");
    require_malformed(as_bytes("!!!!"), "neither PEM, DER nor base64");
    require_malformed(as_bytes("AAAA"), "does not decode to DER");
    for (std::size_t cut :
         {std::size_t{1}, std::size_t{2}, std::size_t{10}, der.size() / 2, der.size() - 1}) {
        INFO("cut at " << cut);
        require_malformed(ByteView(der).first(cut), "invalid or truncated DER");
    }
    Bytes trailing = der;
    trailing.push_back(0);
    require_malformed(trailing, "trailing data");
    Bytes garbage(200, 0x30);
    require_malformed(garbage, "certificate");
    require_malformed(as_bytes(pem.substr(0, pem.size() / 2)), "invalid or truncated PEM");
    std::string bad_b64 = pem;
    bad_b64[40] = '*';
    require_malformed(as_bytes(bad_b64), "PEM");
    require_malformed(as_bytes("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"),
                      "no CERTIFICATE block");
    require_malformed(as_bytes(base64_encode(ByteView(der).first(der.size() - 3))),
                      "invalid or truncated DER");
    CHECK_THROWS_AS(parse_certificates(as_bytes("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n")),
                    PkcsError);
    try {
        Certificate::load("/nonexistent/cert.pem");
        FAIL("loaded a missing file");
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::Io);
    }
}

TEST_CASE("GPKI attribute decoding is lenient about string types", "[cert][gpki]") {
    // Build SEQUENCE OF Attribute with UTF8String/IA5String values and an unrelated
    // attribute, the way another CA might.
    STACK_OF(X509_ATTRIBUTE)* attrs = nullptr;
    auto add = [&](const char* oid, int type, const std::string& value) {
        Asn1ObjectPtr obj(OBJ_txt2obj(oid, 1));
        REQUIRE(X509at_add1_attr_by_OBJ(&attrs, obj.get(), type,
                                        reinterpret_cast<const unsigned char*>(value.data()),
                                        static_cast<int>(value.size())) != nullptr);
    };
    add("2.5.4.9", V_ASN1_UTF8STRING, "street");  // not ours: ignored
    add("2.16.886.1.100.2.51", V_ASN1_UTF8STRING, "1234");
    add("2.16.886.1.100.2.101", V_ASN1_IA5STRING, "87654321");
    add("2.16.886.1.100.2.102", V_ASN1_PRINTABLESTRING, "2.16.886.101.1");
    // Independent of our encoder: i2d each attribute and wrap them in a SEQUENCE.
    Bytes seq_content;
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs); ++i) {
        unsigned char* der = nullptr;
        int len = i2d_X509_ATTRIBUTE(sk_X509_ATTRIBUTE_value(attrs, i), &der);
        REQUIRE(len > 0);
        seq_content.insert(seq_content.end(), der, der + len);
        OPENSSL_free(der);
    }
    sk_X509_ATTRIBUTE_pop_free(attrs, X509_ATTRIBUTE_free);
    REQUIRE(seq_content.size() < 128);
    Bytes seq = {0x30, static_cast<std::uint8_t>(seq_content.size())};
    seq.insert(seq.end(), seq_content.begin(), seq_content.end());
    GpkiAttributes g = decode_gpki_attributes(seq);
    CHECK(g.id_last4 == "1234");
    CHECK(g.business_number == "87654321");
    CHECK(g.organisation_oid == "2.16.886.101.1");

    // Our encoding: PrintableString for .51/.101, OBJECT IDENTIFIER for .102.
    GpkiAttributes all;
    all.id_last4 = "0001";
    all.business_number = "12345678";
    all.organisation_oid = "2.16.886.101.20003";
    Bytes encoded = encode_gpki_attributes(all);
    GpkiAttributes back = decode_gpki_attributes(encoded);
    CHECK(back.id_last4 == "0001");
    CHECK(back.business_number == "12345678");
    CHECK(back.organisation_oid == "2.16.886.101.20003");
    const std::uint8_t printable_0001[] = {0x13, 0x04, '0', '0', '0', '1'};
    CHECK(std::search(encoded.begin(), encoded.end(), std::begin(printable_0001),
                      std::end(printable_0001)) != encoded.end());
    const std::uint8_t oid_tag_after_102[] = {0x31, 0x09, 0x06};  // SET { OBJECT IDENTIFIER
    CHECK(std::search(encoded.begin(), encoded.end(), std::begin(oid_tag_after_102),
                      std::end(oid_tag_after_102)) != encoded.end());

    for (std::size_t cut = 1; cut < encoded.size(); cut += 7) {
        INFO("cut " << cut);
        CHECK_THROWS_AS(decode_gpki_attributes(ByteView(encoded).first(cut)), PkcsError);
    }
    CHECK_THROWS_AS(decode_gpki_attributes(as_bytes("\x05\x00")), PkcsError);
    CHECK_THROWS_AS(encode_gpki_attributes(GpkiAttributes{}), PkcsError);
}

TEST_CASE("corrupted certificates: parse and describe either work or fail as PkcsError",
          "[cert][parse]") {
    IssueOptions o;
    o.type = HolderType::Agency;
    o.name = "損壞測試";
    o.oid = "2.16.886.101.20003";
    Bytes der = hierarchy().ca.issue(o).auth.certificate.der();
    std::size_t described = 0;
    for (std::size_t i = 0; i < der.size(); ++i) {
        for (std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
            Bytes bad = der;
            bad[i] ^= flip;
            try {
                Certificate c = Certificate::from_der(bad);
                // Everything that goes to the host's and the server's JSON must be text.
                (void)certificate_to_json(c).dump();
                (void)c.subject_key_identifier();
                (void)c.authority_key_identifier();
                (void)c.path_length();
                ++described;
            } catch (const PkcsError&) {
            }
        }
    }
    CHECK(described > 0);
}
