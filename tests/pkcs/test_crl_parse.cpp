// CRLs from the test CA: parsing, lookup, signatures, cross-checked against OpenSSL's
// own X509_CRL decoding.
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

using namespace pkibridge::pkcs;
using certtest::hierarchy;

namespace {

int openssl_reason(X509_REVOKED* rev) {
    int crit = 0;
    ASN1_ENUMERATED* e = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, nullptr));
    if (e == nullptr) return kReasonNone;
    int code = static_cast<int>(ASN1_ENUMERATED_get(e));
    ASN1_ENUMERATED_free(e);
    return code;
}

void require_crl_malformed(ByteView data) {
    try {
        Crl::parse(data);
        FAIL("CRL parse accepted bad input");
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::Malformed);
        CHECK(std::string(e.what()).find("CRL") != std::string::npos);
    }
}

}  // namespace

TEST_CASE("revoked certificates are found in the CRL with time and reason", "[crl]") {
    auto& h = hierarchy();
    IssuedPair pair = h.ca.issue(certtest::person("林大同", "D123456780"));
    const std::int64_t at = now_unix() - 3600;
    h.ca.revoke(pair.sign.certificate, kReasonKeyCompromise, at);
    const std::int64_t this_update = now_unix();
    Crl crl = h.ca.make_crl(TestCaId::Moica, {this_update, this_update + 7 * 86400});

    auto hit = crl.find(pair.sign.certificate);
    REQUIRE(hit.has_value());
    CHECK(hit->revoked_at == at);
    CHECK(hit->reason == kReasonKeyCompromise);
    CHECK(hit->reason_name() == "keyCompromise");
    CHECK(hit->serial_hex() == pair.sign.certificate.serial_hex());
    CHECK_FALSE(hit->certificate_issuer.has_value());
    CHECK(crl.find_hex(pair.sign.certificate.serial_hex()).has_value());
    CHECK(crl.find(pair.sign.certificate.serial_bytes()).has_value());
    CHECK_FALSE(crl.find(pair.auth.certificate).has_value());

    CHECK(crl.issuer() == h.ca.certificate(TestCaId::Moica).subject());
    CHECK(crl.issuer_der() == h.ca.certificate(TestCaId::Moica).subject_der());
    CHECK(X509_NAME_cmp(crl.issuer_name(), h.ca.certificate(TestCaId::Moica).subject_name()) == 0);
    CHECK(crl.this_update() == this_update);
    CHECK(crl.next_update() == this_update + 7 * 86400);
    CHECK_FALSE(crl.expired_at(this_update));
    CHECK(crl.expired_at(this_update + 8 * 86400));
    CHECK(crl.authority_key_identifier() ==
          h.ca.certificate(TestCaId::Moica).subject_key_identifier());
    CHECK(crl.signature_algorithm() == "ecdsa-with-SHA256");
    CHECK_FALSE(crl.is_delta());
    CHECK_FALSE(crl.is_indirect());
    CHECK_FALSE(crl.has_unhandled_critical_extension());

    CHECK(crl.verify_signature(h.ca.certificate(TestCaId::Moica)));
    CHECK(crl.verify_signature(h.ca.certificate(TestCaId::Moica)));         // cached path
    CHECK_FALSE(crl.verify_signature(h.ca.certificate(TestCaId::Moeaca)));  // wrong issuer
    CHECK_FALSE(crl.verify_signature(h.ca.key(TestCaId::Moeaca)));          // wrong key
    CHECK_FALSE(crl.verify_signature(h.ca.root()));

    // OpenSSL agrees on the whole content.
    X509CrlPtr ossl = crl.to_x509_crl();
    CHECK(X509_CRL_verify(ossl.get(), h.ca.certificate(TestCaId::Moica).public_key()) == 1);
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(ossl.get());
    REQUIRE(static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) == crl.size());

    nlohmann::json j = crl_to_json(crl, 100);
    CHECK(j["issuer"] == crl.issuer());
    CHECK(j["thisUpdate"] == format_rfc3339(this_update));
    CHECK(j["entries"] == crl.size());
    CHECK(j["number"] == crl.number()->decimal());
    CHECK(j["revoked"].size() == crl.size());
}

TEST_CASE("CRL numbers increase and bundles hold several CRLs", "[crl]") {
    auto& h = hierarchy();
    Crl first = h.ca.make_crl(TestCaId::Xca);
    Crl second = h.ca.make_crl(TestCaId::Xca);
    REQUIRE(first.number());
    REQUIRE(second.number());
    CHECK(*second.number() > *first.number());
    CHECK(std::stoull(second.number()->decimal()) == std::stoull(first.number()->decimal()) + 1);
    CHECK(CrlNumber::from_uint(258).hex() == "0102");
    CHECK(CrlNumber::from_uint(0).decimal() == "0");

    std::string bundle = first.pem() + h.ca.make_crl(TestCaId::Root).pem() + second.pem();
    auto crls = parse_crls(as_bytes(bundle));
    REQUIRE(crls.size() == 3);
    CHECK(crls[0].der() == first.der());
    CHECK(crls[1].issuer() == h.ca.root().subject());
    CHECK(crls[1].verify_signature(h.ca.root()));
    CHECK(Crl::parse(first.der()).der() == first.der());
    CHECK(Crl::parse(as_bytes(base64_encode(first.der()))).der() == first.der());
}

TEST_CASE("a padded CRL: index matches OpenSSL entry by entry", "[crl]") {
    auto& h = hierarchy();
    IssuedPair pair = h.ca.issue(certtest::person("吳一", "E100000002"));
    h.ca.revoke(pair.auth.certificate, kReasonCessationOfOperation, 1700000000);
    CrlOptions options;
    options.extra_revoked = 3000;
    Crl crl = h.ca.make_crl(TestCaId::Moica, options);
    CHECK(crl.verify_signature(h.ca.certificate(TestCaId::Moica)));
    CHECK(crl.find(pair.auth.certificate)->reason == kReasonCessationOfOperation);

    X509CrlPtr ossl = crl.to_x509_crl();
    CHECK(X509_CRL_verify(ossl.get(), h.ca.certificate(TestCaId::Moica).public_key()) == 1);
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(ossl.get());
    const int n = sk_X509_REVOKED_num(revoked);
    REQUIRE(static_cast<std::size_t>(n) == crl.size());
    CHECK(n >= 3001);
    for (int i = 0; i < n; ++i) {
        X509_REVOKED* rev = sk_X509_REVOKED_value(revoked, i);
        const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(rev);
        auto found = crl.find(ByteView(ASN1_STRING_get0_data(serial),
                                       static_cast<std::size_t>(ASN1_STRING_length(serial))));
        REQUIRE(found.has_value());
        CHECK(found->revoked_at == asn1_time_to_unix(X509_REVOKED_get0_revocationDate(rev)));
        CHECK(found->reason == openssl_reason(rev));
    }
    // Entries come back sorted, every one findable; a near miss is not found.
    for (std::size_t i = 0; i < crl.size(); i += 97) {
        RevocationEntry e = crl.entry(i);
        CHECK(crl.find(e.serial)->revoked_at == e.revoked_at);
        Bytes miss = e.serial;
        miss.back() ^= 0x01;
        auto other = crl.find(miss);
        if (other) CHECK(other->serial == miss);  // only if that neighbour truly exists
    }
    CHECK_FALSE(crl.find(Bytes{0x01}).has_value());
    CHECK_THROWS_AS(crl.entry(crl.size()), PkcsError);
}

TEST_CASE("a CRL from another issuer or with a broken signature does not verify", "[crl]") {
    auto& h = hierarchy();
    Crl crl = h.ca.make_crl(TestCaId::Gca);
    Bytes der = crl.der();
    der[der.size() - 5] ^= 0x40;  // inside the signature value
    Crl tampered = Crl::from_der(der);
    CHECK_FALSE(tampered.verify_signature(h.ca.certificate(TestCaId::Gca)));

    Bytes tbs_changed = crl.der();
    // Flip a byte of the issuer name (inside tbsCertList): still parses, no longer verifies.
    auto issuer = crl.issuer_der();
    auto at = std::search(tbs_changed.begin(), tbs_changed.end(), issuer.begin(), issuer.end());
    REQUIRE(at != tbs_changed.end());
    *(at + static_cast<std::ptrdiff_t>(issuer.size()) - 2) ^= 0x01;
    Crl renamed = Crl::from_der(tbs_changed);
    CHECK_FALSE(renamed.verify_signature(h.ca.key(TestCaId::Gca)));
    CHECK(crl.verify_signature(h.ca.key(TestCaId::Gca)));
}

TEST_CASE("broken CRL input is Malformed", "[crl][parse]") {
    auto& h = hierarchy();
    IssuedPair pair = h.ca.issue(certtest::person("黃二", "F100000003"));
    h.ca.revoke(pair.sign.certificate);
    Crl crl = h.ca.make_crl(TestCaId::Moica);
    const Bytes& der = crl.der();
    require_crl_malformed({});
    require_crl_malformed(as_bytes("not a crl"));
    for (std::size_t cut = 1; cut < der.size(); cut += (cut < 64 ? 1 : 13)) {
        INFO("cut at " << cut);
        require_crl_malformed(ByteView(der).first(cut));
    }
    Bytes trailing = der;
    trailing.push_back(0);
    require_crl_malformed(trailing);
    require_crl_malformed(pair.sign.certificate.der());  // a certificate is not a CRL
    std::string pem = crl.pem();
    require_crl_malformed(as_bytes(pem.substr(0, pem.size() - 30)));
    require_crl_malformed(as_bytes(pair.sign.certificate.pem()));
    // Every single-byte corruption either parses or is Malformed (never anything else).
    for (std::size_t i = 0; i < der.size(); ++i) {
        Bytes bad = der;
        bad[i] ^= 0xA5;
        try {
            (void)Crl::from_der(bad).size();
        } catch (const PkcsError& e) {
            INFO("byte " << i << ": " << e.what());
            CHECK(e.code() == ErrorCode::Malformed);
        }
    }
    CHECK(parse_crl_reason("KeyCompromise") == kReasonKeyCompromise);
    CHECK(parse_crl_reason("6") == kReasonCertificateHold);
    CHECK(parse_crl_reason("none") == kReasonNone);
    CHECK_THROWS_AS(parse_crl_reason("stolen"), PkcsError);
    CHECK_THROWS_AS(parse_crl_reason("7"), PkcsError);
}
