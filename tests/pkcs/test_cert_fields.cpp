// Certificates issued by the test CA, read back field by field.
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/gpki_attributes.hpp"
#include "pkibridge/pkcs/time_util.hpp"

using namespace pkibridge::pkcs;
using certtest::hierarchy;

namespace {

std::string sha256_hex(const Bytes& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) == 1);
    return hex_encode(ByteView(md, len));
}

}  // namespace

TEST_CASE("person pair: every field of the signing and authentication certificates", "[cert]") {
    auto& h = hierarchy();
    const std::int64_t before = now_unix();
    IssuedPair pair = h.ca.issue(certtest::person("王小明", "A123456789"));
    const Certificate& sign = pair.sign.certificate;
    const Certificate& auth = pair.auth.certificate;
    const Certificate& moica = h.ca.certificate(TestCaId::Moica);

    for (const Certificate* c : {&sign, &auth}) {
        CHECK(c->subject_common_name() == "王小明");
        CHECK(c->subject() == "serialNumber=" + pair.holder_number + ",CN=王小明,C=TW");
        CHECK(c->issuer() == moica.subject());
        CHECK(c->issuer() == "CN=MOICA Test CA,OU=內政部憑證管理中心 (測試 TEST),O=行政院,C=TW");
        CHECK(c->subject_serial_number() == pair.holder_number);
        CHECK(pair.holder_number.size() == 16);
        CHECK(c->serial_hex().size() == 32);
        CHECK(c->serial_bytes().size() == 16);
        CHECK_FALSE(c->serial_negative());
        CHECK(c->not_before() >= before - 301);
        CHECK(c->not_before() <= before);
        CHECK(c->not_after() - c->not_before() == 365 * 86400 + 300);
        CHECK(c->valid_at(now_unix()));
        CHECK_FALSE(c->valid_at(c->not_after() + 1));
        CHECK(c->policies() == std::vector<std::string>{std::string(kTestPolicyAssuranceLevel3)});
        CHECK(c->crl_distribution_points() ==
              std::vector<std::string>{"http://127.0.0.1:8089/crl/moica.crl"});
        CHECK(c->key_type() == "EC");
        CHECK(c->key_bits() == 256);
        CHECK(c->curve() == "P-256");
        CHECK(c->sha256_fingerprint() == sha256_hex(c->der()));
        CHECK(c->ca_kind() == CaKind::Moica);
        CHECK_FALSE(c->is_ca());
        CHECK_FALSE(c->is_self_issued());
        CHECK(c->authority_key_identifier() == moica.subject_key_identifier());
        CHECK(c->subject_key_identifier().has_value());
        CHECK(c->key_usage_critical());
        GpkiAttributes g = c->gpki_attributes();
        CHECK(g.id_last4 == "6789");
        CHECK_FALSE(g.business_number);
        CHECK_FALSE(g.organisation_oid);
        // The certified key is the one we were given.
        CHECK(EVP_PKEY_eq(c->public_key(),
                          c == &sign ? pair.sign.key.get() : pair.auth.key.get()) == 1);
        // The CA really signed it.
        CHECK(X509_verify(c->native(), moica.public_key()) == 1);
    }
    CHECK(sign.serial_hex() != auth.serial_hex());
    CHECK(sign.key_usage() == std::vector<std::string>{"digitalSignature", "nonRepudiation"});
    CHECK(sign.extended_key_usage().empty());
    CHECK_FALSE(sign.has_extended_key_usage_extension());
    CHECK(sign.has_key_usage("nonRepudiation"));
    CHECK_FALSE(sign.has_key_usage("keyEncipherment"));
    CHECK(auth.key_usage() == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
    CHECK(auth.extended_key_usage() == std::vector<std::string>{"clientAuth"});
    CHECK(auth.extended_key_usage_oids() == std::vector<std::string>{"1.3.6.1.5.5.7.3.2"});
    CHECK(pair.issuing_ca == moica);
}

TEST_CASE("GPKI attributes round-trip for all four holder types", "[cert][gpki]") {
    auto& h = hierarchy();
    struct Case {
        HolderType type;
        CaKind kind;
        TestCaId ca;
    };
    for (Case c : {Case{HolderType::Person, CaKind::Moica, TestCaId::Moica},
                   Case{HolderType::Company, CaKind::Moeaca, TestCaId::Moeaca},
                   Case{HolderType::Org, CaKind::Xca, TestCaId::Xca},
                   Case{HolderType::Agency, CaKind::Gca, TestCaId::Gca}}) {
        IssueOptions o;
        o.type = c.type;
        o.name = "測試單位 " + std::string(holder_type_name(c.type));
        if (c.type == HolderType::Person) o.national_id = "F229876543";
        if (c.type == HolderType::Company) o.ubn = "04595257";
        if (c.type == HolderType::Org) o.oid = "2.16.886.101.90028.20002";
        if (c.type == HolderType::Agency) o.oid = "2.16.886.101.20003.20065.20021";
        IssuedPair pair = h.ca.issue(o);
        for (const Certificate* cert : {&pair.sign.certificate, &pair.auth.certificate}) {
            // Round trip through DER to be sure nothing comes from in-memory state.
            Certificate back = Certificate::from_der(cert->der());
            INFO(holder_type_name(c.type));
            CHECK(back.ca_kind() == c.kind);
            CHECK(back.issuer() == h.ca.certificate(c.ca).subject());
            CHECK(back.subject_common_name() == o.name);
            GpkiAttributes g = back.gpki_attributes();
            CHECK(g.id_last4 ==
                  (o.national_id ? std::optional<std::string>("6543") : std::nullopt));
            CHECK(g.business_number == o.ubn);
            CHECK(g.organisation_oid == o.oid);
            nlohmann::json j = certificate_to_json(back);
            if (o.oid) CHECK(j["gpki"]["organisationOid"] == *o.oid);
            if (o.ubn) CHECK(j["gpki"]["businessNumber"] == *o.ubn);
            if (o.national_id) CHECK(j["gpki"]["idLast4"] == "6543");
            CHECK(j["gpki"].size() == 1);
            CHECK(j["caKind"] == std::string(ca_kind_name(c.kind)));
        }
    }
}

TEST_CASE("certificate_to_json has the documented keys and values", "[cert][json]") {
    auto& h = hierarchy();
    IssuedPair pair = h.ca.issue(certtest::person("陳美麗", "B287654321"));
    const Certificate& auth = pair.auth.certificate;
    nlohmann::json j = certificate_to_json(auth);
    CHECK(j["subject"] == auth.subject());
    CHECK(j["issuer"] == auth.issuer());
    CHECK(j["subjectCommonName"] == "陳美麗");
    CHECK(j["subjectSerialNumber"] == pair.holder_number);
    CHECK(j["serial"] == auth.serial_hex());
    CHECK(j["notBefore"] == format_rfc3339(auth.not_before()));
    CHECK(j["notAfter"] == format_rfc3339(auth.not_after()));
    CHECK(j["notBeforeUnix"] == auth.not_before());
    CHECK(j["notAfterUnix"] == auth.not_after());
    CHECK(j["keyUsage"] == nlohmann::json({"digitalSignature", "keyEncipherment"}));
    CHECK(j["extendedKeyUsage"] == nlohmann::json({"clientAuth"}));
    CHECK(j["policies"] == nlohmann::json({std::string(kTestPolicyAssuranceLevel3)}));
    CHECK(j["keyType"] == "EC");
    CHECK(j["keyBits"] == 256);
    CHECK(j["curve"] == "P-256");
    CHECK(j["sha256"] == auth.sha256_fingerprint());
    CHECK(j["caKind"] == "MOICA");
    CHECK(j["gpki"] == nlohmann::json({{"idLast4", "4321"}}));
    CHECK(j["crlDistributionPoints"] == nlohmann::json({"http://127.0.0.1:8089/crl/moica.crl"}));
    CHECK(j["isCa"] == false);

    nlohmann::json root = certificate_to_json(h.ca.root());
    CHECK(root["isCa"] == true);
    CHECK(root["caKind"] == "other");
    CHECK_FALSE(root.contains("gpki"));
    CHECK(root["keyUsage"] == nlohmann::json({"keyCertSign", "cRLSign"}));
}

TEST_CASE("CA certificates of the test hierarchy", "[cert][testca]") {
    auto& h = hierarchy();
    const Certificate& root = h.ca.root();
    CHECK(root.is_ca());
    CHECK(root.is_self_issued());
    CHECK(root.subject_common_name() == "Test GRCA");
    CHECK(root.crl_distribution_points().empty());
    CHECK(X509_verify(root.native(), root.public_key()) == 1);
    for (const Certificate& ca : h.ca.intermediates()) {
        CHECK(ca.is_ca());
        CHECK(ca.path_length() == 0);
        CHECK(ca.issuer() == root.subject());
        CHECK(ca.subject().find("(測試 TEST)") != std::string::npos);
        CHECK(ca.crl_distribution_points() ==
              std::vector<std::string>{"http://127.0.0.1:8089/crl/root.crl"});
        CHECK(ca.authority_key_identifier() == root.subject_key_identifier());
        CHECK(ca.key_usage() == std::vector<std::string>{"keyCertSign", "cRLSign"});
        CHECK(X509_verify(ca.native(), root.public_key()) == 1);
    }
    CHECK(h.ca.certificate(TestCaId::Moica).subject() ==
          "CN=MOICA Test CA,OU=內政部憑證管理中心 (測試 TEST),O=行政院,C=TW");
}

TEST_CASE("RSA holder keys report type and size", "[cert]") {
    auto& h = hierarchy();
    IssueOptions o = certtest::person("RSA Holder", "C100000001");
    o.key = KeySpec::Rsa2048;
    IssuedPair pair = h.ca.issue(o);
    CHECK(pair.sign.certificate.key_type() == "RSA");
    CHECK(pair.sign.certificate.key_bits() == 2048);
    CHECK(pair.sign.certificate.curve().empty());
    CHECK_FALSE(certificate_to_json(pair.sign.certificate).contains("curve"));
}

TEST_CASE("issuer classification follows the real CA names", "[cert][gpki]") {
    auto name = [](std::vector<std::pair<std::string, std::string>> entries) {
        X509NamePtr n(X509_NAME_new());
        for (auto& [k, v] : entries)
            REQUIRE(X509_NAME_add_entry_by_txt(n.get(), k.c_str(), MBSTRING_UTF8,
                                               reinterpret_cast<const unsigned char*>(v.data()),
                                               static_cast<int>(v.size()), -1, 0) == 1);
        return n;
    };
    CHECK(
        classify_issuer(name({{"C", "TW"}, {"O", "行政院"}, {"OU", "內政部憑證管理中心"}}).get()) ==
        CaKind::Moica);
    CHECK(classify_issuer(name({{"C", "TW"}, {"O", "行政院"}, {"OU", "工商憑証管理中心"}}).get()) ==
          CaKind::Moeaca);
    CHECK(classify_issuer(name({{"C", "TW"}, {"O", "行政院"}, {"OU", "工商憑證管理中心"}}).get()) ==
          CaKind::Moeaca);
    CHECK(classify_issuer(
              name({{"C", "TW"}, {"O", "行政院"}, {"OU", "組織及團體憑證管理中心"}}).get()) ==
          CaKind::Xca);
    CHECK(classify_issuer(name({{"C", "TW"}, {"O", "行政院"}, {"OU", "政府憑證管理中心"}}).get()) ==
          CaKind::Gca);
    CHECK(
        classify_issuer(name({{"C", "TW"}, {"O", "行政院"}, {"OU", "政府憑證總管理中心"}}).get()) ==
        CaKind::Other);
    CHECK(classify_issuer(name({{"CN", "MOICA Test CA"}}).get()) == CaKind::Moica);
    CHECK(classify_issuer(name({{"CN", "moeaca test ca"}}).get()) == CaKind::Moeaca);
    CHECK(classify_issuer(name({{"CN", "XCAT Root"}}).get()) == CaKind::Other);
    CHECK(classify_issuer(name({{"CN", "Test GRCA"}}).get()) == CaKind::Other);
    CHECK(classify_issuer(name({{"C", "US"}, {"CN", "Example CA"}}).get()) == CaKind::Other);
    // Only O, OU and CN count: an L attribute naming a CA does not.
    CHECK(classify_issuer(name({{"L", "MOICA"}, {"CN", "Other"}}).get()) == CaKind::Other);
}

TEST_CASE("time helpers", "[cert][time]") {
    CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
    CHECK(format_rfc3339(1700000000) == "2023-11-14T22:13:20Z");
    CHECK(parse_rfc3339("2023-11-14T22:13:20Z") == 1700000000);
    CHECK(parse_rfc3339("2023-11-15T06:13:20+08:00") == 1700000000);
    CHECK(parse_rfc3339("2023-11-14T22:13:20.5Z") == 1700000000);
    CHECK_THROWS_AS(parse_rfc3339("2023-11-14"), PkcsError);
    CHECK_THROWS_AS(parse_rfc3339("2023-13-14T22:13:20Z"), PkcsError);
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{1700000000}, std::int64_t{2524608000},
                           std::int64_t{4102444800}}) {
        Asn1TimePtr a(unix_to_asn1_time(t));
        CHECK(asn1_time_to_unix(a.get()) == t);
        // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
        CHECK(ASN1_STRING_type(a.get()) ==
              (t < 2524608000 ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME));
    }
}
