// Indirect CRLs (RFC 5280 5.3.3): entries name their certificate issuer. Built here with
// OpenSSL's CRL API, signed by the GCA test key, covering MOICA-issued certificates.
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

using namespace pkibridge::pkcs;
using certtest::hierarchy;

namespace {

void add_entry(X509_CRL* crl, const Certificate& cert, const X509_NAME* certificate_issuer) {
    X509_REVOKED* rev = X509_REVOKED_new();
    Asn1TimePtr when(unix_to_asn1_time(1700000000));
    REQUIRE(X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(cert.native())) == 1);
    REQUIRE(X509_REVOKED_set_revocationDate(rev, when.get()) == 1);
    if (certificate_issuer != nullptr) {
        GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
        GENERAL_NAME* gn = GENERAL_NAME_new();
        gn->type = GEN_DIRNAME;
        gn->d.directoryName = X509_NAME_dup(certificate_issuer);
        sk_GENERAL_NAME_push(names, gn);
        REQUIRE(X509_REVOKED_add1_ext_i2d(rev, NID_certificate_issuer, names, 1, 0) == 1);
        GENERAL_NAMES_free(names);
    }
    REQUIRE(X509_CRL_add0_revoked(crl, rev) == 1);
}

}  // namespace

TEST_CASE("indirect CRL: entries match serial and certificate issuer", "[crl][indirect]") {
    auto& ca = hierarchy().ca;
    const Certificate& gca = ca.certificate(TestCaId::Gca);
    const Certificate& moica = ca.certificate(TestCaId::Moica);
    IssueOptions org;
    org.type = HolderType::Org;
    org.name = "間接";
    org.oid = "2.16.886.101.1";
    Certificate xca_issued = ca.issue(org).sign.certificate;
    Certificate moica_issued = ca.issue(certtest::person("間接二", "M100000011")).sign.certificate;

    X509CrlPtr x(X509_CRL_new());
    Asn1TimePtr last(unix_to_asn1_time(now_unix() - 60));
    Asn1TimePtr next(unix_to_asn1_time(now_unix() + 86400));
    REQUIRE(X509_CRL_set_version(x.get(), X509_CRL_VERSION_2) == 1);
    REQUIRE(X509_CRL_set_issuer_name(x.get(), gca.subject_name()) == 1);
    REQUIRE(X509_CRL_set1_lastUpdate(x.get(), last.get()) == 1);
    REQUIRE(X509_CRL_set1_nextUpdate(x.get(), next.get()) == 1);
    // First entry: no certificateIssuer yet, so it belongs to the CRL issuer (GCA).
    add_entry(x.get(), xca_issued, nullptr);
    add_entry(x.get(), moica_issued, moica.subject_name());
    ISSUING_DIST_POINT* idp = ISSUING_DIST_POINT_new();
    idp->indirectCRL = 1;
    REQUIRE(X509_CRL_add1_ext_i2d(x.get(), NID_issuing_distribution_point, idp, 1, 0) == 1);
    ISSUING_DIST_POINT_free(idp);
    REQUIRE(X509_CRL_sign(x.get(), ca.key(TestCaId::Gca), EVP_sha256()) > 0);
    unsigned char* der = nullptr;
    int len = i2d_X509_CRL(x.get(), &der);
    REQUIRE(len > 0);
    Crl crl = Crl::from_der(ByteView(der, static_cast<std::size_t>(len)));
    OPENSSL_free(der);

    CHECK(crl.is_indirect());
    CHECK(crl.issuing_distribution_point()->indirect_crl);
    CHECK(crl.verify_signature(gca));
    CHECK(crl.covers_issuer(moica.subject_name()));
    CHECK(crl.covers_issuer(gca.subject_name()));
    CHECK_FALSE(crl.covers_issuer(ca.certificate(TestCaId::Xca).subject_name()));

    auto hit = crl.find(moica_issued);
    REQUIRE(hit);
    CHECK(hit->certificate_issuer == moica.subject());
    CHECK(hit->certificate_issuer_der == moica.subject_der());
    // The XCA certificate's serial is listed, but for GCA: not a match for that certificate.
    CHECK_FALSE(crl.find(xca_issued));
    CHECK(crl.find(xca_issued.serial_bytes()));

    auto set = CrlSet::build({crl});
    CHECK(set->indirect_crls_for(moica.subject_name()).size() == 1);
    CHECK(set->latest_complete(moica.subject_name()) == std::nullopt);
    auto r = set->check(moica_issued, moica, now_unix(), {gca});
    CHECK(r.status == RevocationStatus::Revoked);
    // Without a trusted signer for the indirect CRL, no decision.
    CHECK(set->check(moica_issued, moica, now_unix()).status == RevocationStatus::Unknown);
}
