// CrlSet: choosing the right CRL for a certificate and deciding its status.
#include <catch2/catch.hpp>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

using namespace pkibridge::pkcs;

namespace {

// A private hierarchy: these tests revoke and issue CRLs in a controlled order.
certtest::Hierarchy& own() {
    static certtest::Hierarchy h;
    return h;
}

}  // namespace

TEST_CASE("CrlSet: good, revoked, unknown, stale", "[crl][crlset]") {
    auto& ca = own().ca;
    IssuedPair a = ca.issue(certtest::person("甲", "G100000001"));
    IssuedPair b = ca.issue(certtest::person("乙", "G100000002"));
    ca.revoke(a.sign.certificate, kReasonKeyCompromise);
    const Certificate& moica = ca.certificate(TestCaId::Moica);
    const std::int64_t now = now_unix();

    auto empty = CrlSet::build({});
    auto r = empty->check(b.sign.certificate, moica, now);
    CHECK(r.status == RevocationStatus::Unknown);
    CHECK_THAT(r.detail, Catch::Contains("no CRL"));

    Crl root_crl = ca.make_crl(TestCaId::Root);
    Crl moica_crl = ca.make_crl(TestCaId::Moica);
    auto set = CrlSet::build({root_crl, moica_crl});
    CHECK(set->size() == 2);
    CHECK(set->latest_complete(moica.subject_name())->der() == moica_crl.der());
    CHECK_FALSE(set->latest_complete(ca.certificate(TestCaId::Gca).subject_name()));

    r = set->check(a.sign.certificate, moica, now);
    CHECK(r.status == RevocationStatus::Revoked);
    REQUIRE(r.entry);
    CHECK(r.entry->reason == kReasonKeyCompromise);
    REQUIRE(r.crl);
    CHECK(r.crl->der() == moica_crl.der());

    r = set->check(b.sign.certificate, moica, now);
    CHECK(r.status == RevocationStatus::Good);
    CHECK(revocation_status_name(r.status) == "good");

    // The intermediate against the root's CRL.
    r = set->check(moica, ca.root(), now);
    CHECK(r.status == RevocationStatus::Good);

    // A wrong issuer certificate never yields Good.
    r = set->check(b.sign.certificate, ca.certificate(TestCaId::Gca), now);
    CHECK(r.status == RevocationStatus::Unknown);

    // Stale: only a CRL whose nextUpdate has passed.
    CrlOptions stale;
    stale.this_update = now - 10 * 86400;
    stale.next_update = now - 86400;
    auto stale_set = CrlSet::build({ca.make_crl(TestCaId::Moica, stale)});
    r = stale_set->check(b.sign.certificate, moica, now);
    CHECK(r.status == RevocationStatus::Unknown);
    CHECK_THAT(r.detail, Catch::Contains("expired"));
    // ... but a stale CRL still proves a key compromise.
    r = stale_set->check(a.sign.certificate, moica, now);
    CHECK(r.status == RevocationStatus::Revoked);

    // The newest CRL wins when several are present.
    Crl newer = ca.make_crl(TestCaId::Moica);
    auto both = CrlSet::build({moica_crl, newer, stale_set->all().front()});
    CHECK(both->latest_complete(moica.subject_name())->der() == newer.der());
    CHECK(both->complete_crls_for(moica.subject_name()).size() == 3);
}

TEST_CASE("CrlSet: a CRL signed by another key is not used", "[crl][crlset]") {
    auto& ca = own().ca;
    IssuedPair c = ca.issue(certtest::person("丙", "G100000003"));
    // A second, unrelated hierarchy whose MOICA has the same name but another key.
    certtest::TempDir other_dir;
    TestCa other = TestCa::init(other_dir.path() / "ca", {KeySpec::EcP256, "http://x/crl"});
    auto set = CrlSet::build({other.make_crl(TestCaId::Moica)});
    auto r = set->check(c.sign.certificate, ca.certificate(TestCaId::Moica), now_unix());
    CHECK(r.status == RevocationStatus::Unknown);
    CHECK_THAT(r.detail, Catch::Contains("signature"));
}

TEST_CASE("CrlSet: delta CRL adds revocations made after the base", "[crl][crlset]") {
    auto& ca = own().ca;
    IssuedPair d = ca.issue(certtest::person("丁", "G100000004"));
    const Certificate& moica = ca.certificate(TestCaId::Moica);
    Crl base = ca.make_crl(TestCaId::Moica);
    ca.revoke(d.auth.certificate, kReasonCertificateHold);
    CrlOptions delta_options;
    delta_options.delta_base = std::stoull(base.number()->decimal());
    Crl delta = ca.make_crl(TestCaId::Moica, delta_options);
    CHECK(delta.is_delta());
    CHECK(*delta.delta_base() == *base.number());

    auto only_base = CrlSet::build({base});
    CHECK(only_base->check(d.auth.certificate, moica, now_unix()).status == RevocationStatus::Good);
    auto with_delta = CrlSet::build({base, delta});
    CHECK(with_delta->latest_complete(moica.subject_name())->der() == base.der());
    CHECK(with_delta->latest_delta(moica.subject_name(), base)->der() == delta.der());
    CHECK(with_delta->delta_crls_for(moica.subject_name()).size() == 1);
    auto r = with_delta->check(d.auth.certificate, moica, now_unix());
    CHECK(r.status == RevocationStatus::Revoked);
    CHECK(r.entry->reason == kReasonCertificateHold);
}
