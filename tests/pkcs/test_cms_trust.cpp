// CMS verification end to end with the project's test CA: revoked, expired, untrusted and
// wrong-key-usage signers, stale and missing CRLs.
#include <catch2/catch.hpp>

#include "cms_test_support.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "pkibridge/pkcs/verify_report.hpp"

using namespace pkibridge::pkcs;
using cmstest::shared_ca;

namespace {

Bytes sign_with(const IssuedCredential& cred, const std::string& content = "data") {
    ExternalSigner s{cred.certificate,
                     [key = cred.key.get()](ByteView d, HashAlgorithm h, SignatureScheme sc) {
                         return raw_sign(key, d, h, sc);
                     }};
    return cms_sign(as_bytes(content), s, {});
}

ValidationOptions signing_options(std::shared_ptr<const CrlSet> crls = nullptr) {
    ValidationOptions o;
    o.key_usage_any = {"digitalSignature", "nonRepudiation"};
    o.crls = std::move(crls);
    o.require_revocation = true;
    return o;
}

std::shared_ptr<const CrlSet> all_crls(TestCa& ca, const CrlOptions& options = {}) {
    std::vector<Crl> crls;
    for (TestCaId id : kAllTestCas) crls.push_back(ca.make_crl(id, options));
    return CrlSet::build(std::move(crls));
}

IssuedPair issue(const std::string& name, std::function<void(IssueOptions&)> tweak = {}) {
    IssueOptions o;
    o.name = name;
    o.national_id = "B123456789";
    o.key = KeySpec::EcP256;
    if (tweak) tweak(o);
    return shared_ca().ca->issue(o);
}

}  // namespace

TEST_CASE("CMS from a good signer validates with CRLs; the report names everything",
          "[cms][trust]") {
    const auto& ca = shared_ca();
    Bytes cms = sign_with(ca.ec_person->sign);
    auto r = verify_cms(cms, std::nullopt, ca.trust(), signing_options(all_crls(*ca.ca)));
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(r.path.revocation_checked);
    auto j = verify_report_json(r);
    CHECK(j["valid"] == true);
    CHECK(j["reason"] == "valid");
    CHECK(j["signer"]["subject"].get<std::string>().find("測試 EC") != std::string::npos);
    CHECK(j["path"]["chain"].size() == 3);
    CHECK(j["signatureAlgorithm"] == "ecdsa");
    CHECK(j["digestAlgorithm"] == "SHA256");
    CHECK(j["signedAttributes"]["signingCertificateV2"] == true);
    CHECK(j.dump().size() > 100);
}

TEST_CASE("a revoked signer is rejected with date and reason", "[cms][trust]") {
    auto pair = issue("Revoked Signer");
    shared_ca().ca->revoke(pair.sign.certificate, kReasonKeyCompromise);
    Bytes cms = sign_with(pair.sign);
    auto r = verify_cms(cms, std::nullopt, shared_ca().trust(),
                        signing_options(all_crls(*shared_ca().ca)));
    CHECK(r.status == ValidationStatus::Revoked);
    REQUIRE(r.path.revocation);
    CHECK(r.path.revocation->reason == "keyCompromise");
    CHECK(std::abs(r.path.revocation->revoked_at - cmstest::now()) < 120);
    CHECK(r.path.failing_index == 0);
    auto j = verify_report_json(r);
    CHECK(j["reason"] == "revoked");
    CHECK(j["path"]["revocation"]["reason"] == "keyCompromise");
}

TEST_CASE("an expired signer is rejected", "[cms][trust]") {
    const std::int64_t t = cmstest::now();
    auto pair = issue("Expired Signer", [&](IssueOptions& o) {
        // Inside the test CA's own validity, which starts an hour before its creation.
        o.not_before = t - 1800;
        o.not_after = t - 60;
    });
    Bytes cms = sign_with(pair.sign);
    auto r = verify_cms(cms, std::nullopt, shared_ca().trust(), signing_options());
    CHECK(r.status == ValidationStatus::CrlMissing);  // revocation comes before validity
    ValidationOptions o = signing_options();
    o.require_revocation = false;
    r = verify_cms(cms, std::nullopt, shared_ca().trust(), o);
    CHECK(r.status == ValidationStatus::Expired);
    // Valid when checked at a time inside its validity period.
    o.at = t - 900;
    CHECK(verify_cms(cms, std::nullopt, shared_ca().trust(), o).ok());
}

TEST_CASE("a signer from another hierarchy is untrusted", "[cms][trust]") {
    Bytes cms = sign_with(shared_ca().ec_person->sign);
    TrustStore other{{cmstest::mini_pki().root}, {}};
    auto r = verify_cms(cms, std::nullopt, other, {});
    CHECK(r.status == ValidationStatus::Untrusted);
    CHECK(r.signature.ok());
}

TEST_CASE("a signer without a signing key usage is rejected", "[cms][trust]") {
    auto pair = issue("Wrong KU", [](IssueOptions& o) {
        o.sign_key_usage = std::vector<std::string>{"keyEncipherment"};
    });
    Bytes cms = sign_with(pair.sign);
    auto r = verify_cms(cms, std::nullopt, shared_ca().trust(),
                        signing_options(all_crls(*shared_ca().ca)));
    CHECK(r.status == ValidationStatus::BadKeyUsage);
}

TEST_CASE("stale and missing CRLs fail closed", "[cms][trust]") {
    const auto& ca = shared_ca();
    Bytes cms = sign_with(ca.ec_person->sign);
    const std::int64_t t = cmstest::now();
    CrlOptions old;
    old.this_update = t - 10 * cmstest::kDay;
    old.next_update = t - 3 * cmstest::kDay;
    auto stale = all_crls(*ca.ca, old);
    CHECK(verify_cms(cms, std::nullopt, ca.trust(), signing_options(stale)).status ==
          ValidationStatus::CrlStale);
    ValidationOptions graced = signing_options(stale);
    graced.crl_grace_seconds = 4 * cmstest::kDay;
    CHECK(verify_cms(cms, std::nullopt, ca.trust(), graced).ok());

    // Only the root's CRL: the signer's issuing CA has none.
    auto root_only = CrlSet::build({ca.ca->make_crl(TestCaId::Root)});
    auto r = verify_cms(cms, std::nullopt, ca.trust(), signing_options(root_only));
    CHECK(r.status == ValidationStatus::CrlMissing);
    CHECK(r.path.failing_index == 0);
    // Not required: the missing CRL is tolerated.
    ValidationOptions lax = signing_options(root_only);
    lax.require_revocation = false;
    auto ok = verify_cms(cms, std::nullopt, ca.trust(), lax);
    CHECK(ok.ok());
    CHECK_FALSE(ok.path.revocation_checked);
    // No CRLs at all but required.
    CHECK(verify_cms(cms, std::nullopt, ca.trust(), signing_options()).status ==
          ValidationStatus::CrlMissing);
}

TEST_CASE("a CRL signed by the wrong CA key is invalid", "[cms][trust]") {
    const auto& ca = shared_ca();
    Bytes cms = sign_with(ca.ec_person->sign);
    // A CRL naming MOICA as issuer but signed with another key.
    const Certificate& moica = ca.ca->certificate(TestCaId::Moica);
    Crl forged = cmstest::make_crl({&moica, cmstest::cached_key("ec256", 7), {}});
    auto set = CrlSet::build({forged, ca.ca->make_crl(TestCaId::Root)});
    auto r = verify_cms(cms, std::nullopt, ca.trust(), signing_options(set));
    CHECK(r.status == ValidationStatus::CrlInvalid);
}
