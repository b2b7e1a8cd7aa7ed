// RFC 5280 path validation: anchors, alternate chains, exact validity bounds, depth,
// constraints, key usage, EKU, policies and CRL revocation (complete, delta, stale,
// invalid, missing) on purpose-built hierarchies.
#include <catch2/catch.hpp>
#include <thread>

#include "cms_test_support.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/path_validation.hpp"
#include "pkibridge/pkcs/verify_report.hpp"

using namespace pkibridge::pkcs;
using cmstest::CertSpec;
using cmstest::kDay;
using cmstest::make_cert;
using cmstest::make_crl;
using cmstest::mini_pki;

namespace {

TrustStore mini_trust() {
    return TrustStore{{mini_pki().root}, {mini_pki().intermediate}};
}

}  // namespace

TEST_CASE("a complete chain to a root validates", "[path]") {
    auto r = validate_path(mini_pki().leaf, {}, mini_trust(), {});
    INFO(r.message);
    REQUIRE(r.ok());
    REQUIRE(r.chain.size() == 3);
    CHECK(r.chain[0] == mini_pki().leaf);
    CHECK(r.chain[2] == mini_pki().root);
    CHECK(r.reason() == "valid");
    CHECK_FALSE(r.revocation_checked);
    auto j = path_report_json(r);
    CHECK(j["valid"] == true);
    CHECK(j["chain"].size() == 3);
    // The intermediate may come from the caller (e.g. a CMS) instead of the store.
    CHECK(validate_path(mini_pki().leaf, {mini_pki().intermediate},
                        TrustStore{{mini_pki().root}, {}}, {})
              .ok());
}

TEST_CASE("a non-self-signed anchor is a trust anchor", "[path]") {
    TrustStore only_intermediate{{mini_pki().intermediate}, {}};
    auto r = validate_path(mini_pki().leaf, {}, only_intermediate, {});
    INFO(r.message);
    CHECK(r.ok());
    CHECK(r.chain.size() == 2);
    // The leaf itself as the anchor.
    CHECK(validate_path(mini_pki().leaf, {}, TrustStore{{mini_pki().leaf}, {}}, {}).ok());
}

TEST_CASE("no path to an anchor is untrusted", "[path]") {
    auto r = validate_path(mini_pki().leaf, {}, TrustStore{{mini_pki().root}, {}}, {});
    CHECK(r.status == ValidationStatus::Untrusted);
    CHECK(r.message.find("Mini Intermediate") != std::string::npos);
    Certificate self = make_cert({.cn = "Lonely", .ca = true});
    CHECK(validate_path(self, {}, mini_trust(), {}).status == ValidationStatus::Untrusted);
}

TEST_CASE("validity is inclusive of notAfter to the second", "[path]") {
    const auto& pki = mini_pki();
    const std::int64_t nb = cmstest::now() - kDay, na = cmstest::now() + 5 * kDay;
    Certificate leaf = make_cert({.cn = "Exact",
                                  .key = pki.leaf_key,
                                  .issuer = &pki.intermediate,
                                  .issuer_key = pki.intermediate_key,
                                  .not_before = nb,
                                  .not_after = na});
    ValidationOptions o;
    o.at = na;
    CHECK(validate_path(leaf, {}, mini_trust(), o).ok());
    o.at = na + 1;
    auto expired = validate_path(leaf, {}, mini_trust(), o);
    CHECK(expired.status == ValidationStatus::Expired);
    CHECK(expired.failing_index == 0);
    o.at = nb;
    CHECK(validate_path(leaf, {}, mini_trust(), o).ok());
    o.at = nb - 1;
    CHECK(validate_path(leaf, {}, mini_trust(), o).status == ValidationStatus::NotYetValid);
}

TEST_CASE("an alternate chain is found when the first candidate is expired", "[path]") {
    const auto& pki = mini_pki();
    const std::int64_t t = cmstest::now();
    // The same CA (name and key) certified twice: the old certificate has expired.
    Certificate old_ca = make_cert({.cn = "Mini Intermediate",
                                    .key = pki.intermediate_key,
                                    .issuer = &pki.root,
                                    .issuer_key = pki.root_key,
                                    .not_before = t - 400 * kDay,
                                    .not_after = t - 10 * kDay,
                                    .ca = true});
    Certificate renewed = make_cert({.cn = "Mini Intermediate",
                                     .key = pki.intermediate_key,
                                     .issuer = &pki.root,
                                     .issuer_key = pki.root_key,
                                     .not_before = t - 11 * kDay,
                                     .not_after = t + 400 * kDay,
                                     .ca = true});
    TrustStore trust{{pki.root}, {old_ca, renewed}};
    auto r = validate_path(pki.leaf, {}, trust, {});
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(r.chain[1] == renewed);
    // Only the expired one: rejected as expired (at index 1).
    auto only_old = validate_path(pki.leaf, {}, TrustStore{{pki.root}, {old_ca}}, {});
    CHECK(only_old.status == ValidationStatus::Expired);
    CHECK(only_old.failing_index == 1);

    SECTION("cross-certificate from a second root whose first path is revoked") {
        EVP_PKEY* root2_key = cmstest::cached_key("ec256", 200);
        Certificate root2 = make_cert({.cn = "Second Root", .key = root2_key, .ca = true});
        Certificate cross = make_cert({.cn = "Mini Intermediate",
                                       .key = pki.intermediate_key,
                                       .issuer = &root2,
                                       .issuer_key = root2_key,
                                       .ca = true});
        // The intermediate certified by root 1 is revoked; by root 2 it is fine.
        auto crls = CrlSet::build({make_crl({&pki.root, pki.root_key, {{&pki.intermediate}}}),
                                   make_crl({&root2, root2_key, {}}),
                                   make_crl({&pki.intermediate, pki.intermediate_key, {}})});
        ValidationOptions o;
        o.crls = crls;
        o.require_revocation = true;
        TrustStore both{{pki.root, root2}, {pki.intermediate, cross}};
        auto via_cross = validate_path(pki.leaf, {}, both, o);
        INFO(via_cross.message);
        CHECK(via_cross.ok());
        CHECK(via_cross.chain.back() == root2);
        CHECK(via_cross.candidates_tried == 2);
        TrustStore first_only{{pki.root}, {pki.intermediate}};
        CHECK(validate_path(pki.leaf, {}, first_only, o).status == ValidationStatus::Revoked);
    }
}

TEST_CASE("max depth and pathLenConstraint limit the path", "[path]") {
    const auto& pki = mini_pki();
    EVP_PKEY* k2 = cmstest::cached_key("ec256", 300);
    Certificate sub = make_cert({.cn = "Sub CA",
                                 .key = k2,
                                 .issuer = &pki.intermediate,
                                 .issuer_key = pki.intermediate_key,
                                 .ca = true});
    Certificate leaf =
        make_cert({.cn = "Deep Leaf", .key = pki.leaf_key, .issuer = &sub, .issuer_key = k2});
    TrustStore trust{{pki.root}, {pki.intermediate, sub}};
    ValidationOptions o;
    o.max_depth = 2;
    CHECK(validate_path(leaf, {}, trust, o).ok());
    o.max_depth = 1;
    auto r = validate_path(leaf, {}, trust, o);
    CHECK(r.status == ValidationStatus::PathTooLong);
    o.max_depth = 0;
    CHECK(validate_path(pki.leaf, {}, TrustStore{{pki.intermediate}, {}}, o).ok());

    // pathlen:0 on the intermediate forbids the sub CA below it.
    EVP_PKEY* k3 = cmstest::cached_key("ec256", 301);
    Certificate limited = make_cert({.cn = "Limited CA",
                                     .key = k3,
                                     .issuer = &pki.root,
                                     .issuer_key = pki.root_key,
                                     .ca = true,
                                     .path_len = 0});
    Certificate sub2 = make_cert(
        {.cn = "Sub of Limited", .key = k2, .issuer = &limited, .issuer_key = k3, .ca = true});
    Certificate leaf2 =
        make_cert({.cn = "Leaf of Sub", .key = pki.leaf_key, .issuer = &sub2, .issuer_key = k2});
    auto pl = validate_path(leaf2, {}, TrustStore{{pki.root}, {limited, sub2}}, {});
    CHECK(pl.status == ValidationStatus::PathTooLong);
}

TEST_CASE("CA constraints and certificate signatures are enforced", "[path]") {
    const auto& pki = mini_pki();
    EVP_PKEY* k = cmstest::cached_key("ec256", 400);
    Certificate not_ca = make_cert({.cn = "Not A CA",
                                    .key = k,
                                    .issuer = &pki.root,
                                    .issuer_key = pki.root_key,
                                    .key_usage = "critical,digitalSignature,keyCertSign"});
    Certificate leaf = make_cert(
        {.cn = "Under Not A CA", .key = pki.leaf_key, .issuer = &not_ca, .issuer_key = k});
    auto r = validate_path(leaf, {}, TrustStore{{pki.root}, {not_ca}}, {});
    CHECK(r.status == ValidationStatus::InvalidCa);

    Certificate no_sign = make_cert({.cn = "No CertSign CA",
                                     .key = k,
                                     .issuer = &pki.root,
                                     .issuer_key = pki.root_key,
                                     .ca = true,
                                     .key_usage = "critical,cRLSign"});
    Certificate leaf2 = make_cert(
        {.cn = "Under No CertSign", .key = pki.leaf_key, .issuer = &no_sign, .issuer_key = k});
    CHECK(validate_path(leaf2, {}, TrustStore{{pki.root}, {no_sign}}, {}).status ==
          ValidationStatus::InvalidCa);

    // The leaf signed by a key other than its issuer's.
    Certificate forged = make_cert(
        {.cn = "Forged", .key = pki.leaf_key, .issuer = &pki.intermediate, .issuer_key = k});
    auto f = validate_path(forged, {}, mini_trust(), {});
    CHECK(f.status == ValidationStatus::CertSignatureInvalid);
}

TEST_CASE("key usage and extended key usage of the leaf", "[path]") {
    const auto& pki = mini_pki();
    ValidationOptions o;
    o.required_eku = {"clientAuth"};
    CHECK(validate_path(pki.leaf, {}, mini_trust(), o).ok());
    o.required_eku = {"serverAuth"};
    auto r = validate_path(pki.leaf, {}, mini_trust(), o);
    CHECK(r.status == ValidationStatus::BadEku);
    o.required_eku = {"1.3.6.1.5.5.7.3.2"};  // clientAuth as an OID
    CHECK(validate_path(pki.leaf, {}, mini_trust(), o).ok());
    o.required_eku.clear();
    o.key_usage_any = {"keyEncipherment"};
    CHECK(validate_path(pki.leaf, {}, mini_trust(), o).status == ValidationStatus::BadKeyUsage);
    o.key_usage_any = {"keyEncipherment", "nonRepudiation"};
    CHECK(validate_path(pki.leaf, {}, mini_trust(), o).ok());

    // A CA restricted to serverAuth cannot vouch for clientAuth.
    EVP_PKEY* k = cmstest::cached_key("ec256", 500);
    Certificate tls_ca = make_cert({.cn = "TLS CA",
                                    .key = k,
                                    .issuer = &pki.root,
                                    .issuer_key = pki.root_key,
                                    .ca = true,
                                    .eku = "serverAuth"});
    Certificate leaf = make_cert({.cn = "Client under TLS CA",
                                  .key = pki.leaf_key,
                                  .issuer = &tls_ca,
                                  .issuer_key = k,
                                  .eku = "clientAuth"});
    ValidationOptions client;
    client.required_eku = {"clientAuth"};
    auto ca_eku = validate_path(leaf, {}, TrustStore{{pki.root}, {tls_ca}}, client);
    CHECK(ca_eku.status == ValidationStatus::BadEku);
    CHECK(ca_eku.failing_index == 1);
}

TEST_CASE("certificate policies", "[path]") {
    const auto& pki = mini_pki();
    EVP_PKEY* k = cmstest::cached_key("ec256", 600);
    Certificate ca = make_cert({.cn = "Policy CA",
                                .key = k,
                                .issuer = &pki.root,
                                .issuer_key = pki.root_key,
                                .ca = true,
                                .policies = "1.3.6.1.4.1.99999.1,1.3.6.1.4.1.99999.2"});
    Certificate leaf = make_cert({.cn = "Policy Leaf",
                                  .key = pki.leaf_key,
                                  .issuer = &ca,
                                  .issuer_key = k,
                                  .policies = "1.3.6.1.4.1.99999.1"});
    TrustStore trust{{pki.root}, {ca}};
    ValidationOptions o;
    o.policy_set = {"1.3.6.1.4.1.99999.1"};
    CHECK(validate_path(leaf, {}, trust, o).ok());
    o.explicit_policy = true;
    CHECK(validate_path(leaf, {}, trust, o).ok());
    o.policy_set = {"1.3.6.1.4.1.99999.2"};
    CHECK(validate_path(leaf, {}, trust, o).status == ValidationStatus::PolicyViolation);
    // Explicit policy over a path without policies.
    ValidationOptions explicit_only;
    explicit_only.explicit_policy = true;
    CHECK(validate_path(pki.leaf, {}, mini_trust(), explicit_only).status ==
          ValidationStatus::PolicyViolation);
}

TEST_CASE("revocation of every certificate in the path", "[path][crl]") {
    const auto& pki = mini_pki();
    auto root_crl = make_crl({&pki.root, pki.root_key, {}});
    auto int_crl = make_crl({&pki.intermediate, pki.intermediate_key, {}});
    ValidationOptions o;
    o.require_revocation = true;

    SECTION("good") {
        o.crls = CrlSet::build({root_crl, int_crl});
        auto r = validate_path(pki.leaf, {}, mini_trust(), o);
        INFO(r.message);
        CHECK(r.ok());
        CHECK(r.revocation_checked);
    }
    SECTION("revoked intermediate") {
        auto revoking = make_crl(
            {&pki.root, pki.root_key, {{&pki.intermediate, kReasonCaCompromise}}, 0, 0, 2});
        o.crls = CrlSet::build({root_crl, revoking, int_crl});  // the newer CRL decides
        auto r = validate_path(pki.leaf, {}, mini_trust(), o);
        CHECK(r.status == ValidationStatus::Revoked);
        CHECK(r.failing_index == 1);
        REQUIRE(r.revocation);
        CHECK(r.revocation->reason == "cACompromise");
    }
    SECTION("missing CRL for the leaf's issuer") {
        o.crls = CrlSet::build({root_crl});
        auto r = validate_path(pki.leaf, {}, mini_trust(), o);
        CHECK(r.status == ValidationStatus::CrlMissing);
        CHECK(r.failing_index == 0);
        o.require_revocation = false;
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).ok());
    }
    SECTION("stale CRL, with and without grace") {
        const std::int64_t t = cmstest::now();
        auto stale =
            make_crl({&pki.intermediate, pki.intermediate_key, {}, t - 10 * kDay, t - kDay, 1});
        o.crls = CrlSet::build({root_crl, stale});
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).status == ValidationStatus::CrlStale);
        o.crl_grace_seconds = 2 * kDay;
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).ok());
        o.crl_grace_seconds = 0;
        o.require_revocation = false;  // fail closed even when not required
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).status == ValidationStatus::CrlStale);
    }
    SECTION("CRL signed by another key") {
        auto forged = make_crl({&pki.intermediate, cmstest::cached_key("ec256", 700), {}});
        o.crls = CrlSet::build({root_crl, forged});
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).status == ValidationStatus::CrlInvalid);
        // A good CRL next to the forged one is used.
        o.crls = CrlSet::build({root_crl, forged, int_crl});
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).ok());
    }
    SECTION("delta CRL") {
        auto base = make_crl({&pki.intermediate,
                              pki.intermediate_key,
                              {{&pki.leaf, kReasonCertificateHold}},
                              0,
                              0,
                              10});
        auto delta_revokes = make_crl({&pki.intermediate, pki.intermediate_key, {}, 0, 0, 11, 10});
        o.crls = CrlSet::build({root_crl, base, delta_revokes});
        auto held = validate_path(pki.leaf, {}, mini_trust(), o);
        CHECK(held.status == ValidationStatus::Revoked);
        REQUIRE(held.revocation);
        CHECK(held.revocation->reason == "certificateHold");
        // The delta releases the hold.
        auto release = make_crl({&pki.intermediate,
                                 pki.intermediate_key,
                                 {{&pki.leaf, kReasonRemoveFromCrl}},
                                 0,
                                 0,
                                 12,
                                 10});
        o.crls = CrlSet::build({root_crl, base, release});
        auto released = validate_path(pki.leaf, {}, mini_trust(), o);
        INFO(released.message);
        CHECK(released.ok());
        // A delta revoking a certificate the base does not list.
        auto clean_base = make_crl({&pki.intermediate, pki.intermediate_key, {}, 0, 0, 20});
        auto delta = make_crl({&pki.intermediate,
                               pki.intermediate_key,
                               {{&pki.leaf, kReasonKeyCompromise}},
                               0,
                               0,
                               21,
                               20});
        o.crls = CrlSet::build({root_crl, clean_base, delta});
        CHECK(validate_path(pki.leaf, {}, mini_trust(), o).status == ValidationStatus::Revoked);
    }
}

TEST_CASE("indirect CRLs from a delegated CRL issuer", "[path][crl]") {
    const auto& pki = mini_pki();
    EVP_PKEY* signer_key = cmstest::cached_key("ec256", 800);
    Certificate crl_signer = make_cert({.cn = "Mini CRL Signer",
                                        .key = signer_key,
                                        .issuer = &pki.root,
                                        .issuer_key = pki.root_key,
                                        .key_usage = "critical,cRLSign"});
    auto root_crl = make_crl({&pki.root, pki.root_key, {}});
    ValidationOptions o;
    o.require_revocation = true;
    TrustStore trust{{pki.root}, {pki.intermediate, crl_signer}};

    auto revoking = make_crl({.issuer = &crl_signer,
                              .key = signer_key,
                              .revoked = {{&pki.leaf, kReasonSuperseded, 0, true}},
                              .indirect = true});
    o.crls = CrlSet::build({root_crl, revoking});
    auto r = validate_path(pki.leaf, {}, trust, o);
    INFO(r.message);
    CHECK(r.status == ValidationStatus::Revoked);
    REQUIRE(r.revocation);
    CHECK(r.revocation->reason == "superseded");
    CHECK(r.revocation->crl_issuer.find("Mini CRL Signer") != std::string::npos);

    // The same CRL signed by a key nobody certified: not usable, so the leaf's status is
    // unknown.
    auto forged = make_crl({.issuer = &crl_signer,
                            .key = cmstest::cached_key("ec256", 801),
                            .revoked = {{&pki.leaf, kReasonSuperseded, 0, true}},
                            .indirect = true});
    o.crls = CrlSet::build({root_crl, forged});
    auto f = validate_path(pki.leaf, {}, trust, o);
    CHECK((f.status == ValidationStatus::CrlInvalid || f.status == ValidationStatus::CrlMissing));
}

TEST_CASE("validate_path is safe to call from many threads", "[path][threads]") {
    const auto& pki = mini_pki();
    ValidationOptions o;
    o.require_revocation = true;
    o.crls = CrlSet::build({make_crl({&pki.root, pki.root_key, {}}),
                            make_crl({&pki.intermediate, pki.intermediate_key, {}})});
    const TrustStore trust = mini_trust();
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i)
                if (validate_path(pki.leaf, {}, trust, o).ok()) ++ok;
        });
    for (auto& th : threads) th.join();
    CHECK(ok == 100);
}
