#include <openssl/x509v3.h>

#include <algorithm>
#include <string>

#include "path_internal.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs::cmsdetail {
namespace {

enum class CrlFit { Usable, NotApplicable, Stale, Invalid };

struct Assessment {
    CrlFit fit;
    std::string why;
};

std::string crl_label(const Crl& crl) {
    std::string label = "CRL of '" + crl.issuer() + "'";
    if (auto n = crl.number()) label += " #" + n->decimal();
    return label;
}

// RFC 5280 6.3.3 (b): does this CRL cover this certificate at all?
std::optional<std::string> out_of_scope(const Crl& crl, const Certificate& cert) {
    auto idp = crl.issuing_distribution_point();
    if (!idp) return std::nullopt;
    if (idp->only_attribute_certs) return "it only covers attribute certificates";
    if (idp->only_user_certs && cert.is_ca()) return "it only covers end-entity certificates";
    if (idp->only_ca_certs && !cert.is_ca()) return "it only covers CA certificates";
    if (idp->only_some_reasons) return "it is a partial CRL (onlySomeReasons)";
    if (!idp->uris.empty()) {
        const auto cert_dps = cert.crl_distribution_points();
        if (!cert_dps.empty() &&
            std::none_of(cert_dps.begin(), cert_dps.end(), [&](const std::string& uri) {
                return std::find(idp->uris.begin(), idp->uris.end(), uri) != idp->uris.end();
            }))
            return "its distribution point does not match the certificate's";
    }
    return std::nullopt;
}

Assessment assess(const Crl& crl, const Certificate& cert, const Certificate& signer,
                  const RevocationContext& ctx) {
    const std::string label = crl_label(crl);
    if (auto why = out_of_scope(crl, cert))
        return {CrlFit::NotApplicable, label + " does not apply: " + *why};
    if (crl.has_unhandled_critical_extension())
        return {CrlFit::Invalid, label + " has an unsupported critical extension"};
    auto akid = crl.authority_key_identifier();
    auto skid = signer.subject_key_identifier();
    if (akid && skid && *akid != *skid)
        return {CrlFit::Invalid, label + " was signed by another key than " + describe(signer)};
    if (signer.has_key_usage_extension() && !signer.has_key_usage("cRLSign"))
        return {CrlFit::Invalid, describe(signer) + " may not sign CRLs (no cRLSign)"};
    bool signature_ok = false;
    try {
        signature_ok = crl.verify_signature(signer);
    } catch (const PkcsError& e) {
        return {CrlFit::Invalid, label + " cannot be checked: " + e.what()};
    }
    if (!signature_ok)
        return {CrlFit::Invalid,
                label + " has a signature that does not verify with " + describe(signer)};
    if (auto next = crl.next_update();
        next && *next < ctx.at - std::max<std::int64_t>(0, ctx.options.crl_grace_seconds))
        return {CrlFit::Stale, label + " is stale: nextUpdate " + format_rfc3339(*next) +
                                   " is before " + format_rfc3339(ctx.at)};
    return {CrlFit::Usable, {}};
}

// cRLIssuer names in the certificate's CRL distribution points (indirect CRLs).
std::vector<X509NamePtr> crl_issuer_names(const Certificate& cert) {
    std::vector<X509NamePtr> names;
    using DistPointsPtr = std::unique_ptr<STACK_OF(DIST_POINT), void (*)(STACK_OF(DIST_POINT)*)>;
    DistPointsPtr dps(static_cast<STACK_OF(DIST_POINT)*>(X509_get_ext_d2i(
                          cert.native(), NID_crl_distribution_points, nullptr, nullptr)),
                      [](STACK_OF(DIST_POINT) * s) { sk_DIST_POINT_pop_free(s, DIST_POINT_free); });
    if (!dps) return names;
    for (int i = 0; i < sk_DIST_POINT_num(dps.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
        if (dp->CRLissuer == nullptr) continue;
        for (int j = 0; j < sk_GENERAL_NAME_num(dp->CRLissuer); ++j) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(dp->CRLissuer, j);
            if (gn->type == GEN_DIRNAME) names.emplace_back(X509_NAME_dup(gn->d.directoryName));
        }
    }
    return names;
}

struct Outcome {
    bool decided = false;  // a usable CRL covered the certificate
    std::optional<RevocationEntry> entry;
    std::string crl_issuer;
};

// Applies a usable complete CRL and, when one fits, its newest usable delta CRL.
Outcome apply(const Crl& base, const Certificate& cert, const Certificate& signer,
              const RevocationContext& ctx) {
    Outcome out{true, std::nullopt, base.issuer()};
    const auto base_number = base.number();
    for (const Crl& delta : ctx.options.crls->delta_crls_for(base.issuer_name())) {
        auto delta_number = delta.number();
        auto delta_base = delta.delta_base();
        // RFC 5280 5.2.4: the delta must be newer than the base and build on it.
        if (!base_number || !delta_number || !delta_base || *delta_number <= *base_number ||
            *delta_base > *base_number)
            continue;
        if (assess(delta, cert, signer, ctx).fit != CrlFit::Usable) continue;
        if (auto e = delta.find(cert)) {
            if (e->reason == kReasonRemoveFromCrl) return out;  // released from hold
            out.entry = e;
            out.crl_issuer = delta.issuer();
            return out;
        }
        break;  // the newest usable delta decides together with the base
    }
    if (auto e = base.find(cert); e && e->reason != kReasonRemoveFromCrl) out.entry = e;
    return out;
}

const Certificate* find_crl_signer(const Crl& crl, const RevocationContext& ctx) {
    for (const Certificate* c : ctx.known_certs) {
        if (X509_NAME_cmp(c->subject_name(), crl.issuer_name()) != 0) continue;
        if (c->has_key_usage_extension() && !c->has_key_usage("cRLSign")) continue;
        bool ok = false;
        try {
            ok = crl.verify_signature(*c);
        } catch (const PkcsError&) {
        }
        if (ok && ctx.crl_signer_valid && ctx.crl_signer_valid(*c)) return c;
    }
    return nullptr;
}

PathCheck check_one(const Certificate& cert, const Certificate& issuer, int index,
                    const RevocationContext& ctx, bool& checked) {
    const CrlSet& crls = *ctx.options.crls;
    std::optional<Assessment> stale, invalid;
    Outcome outcome;
    auto note = [&](const Assessment& a) {
        if (a.fit == CrlFit::Stale && !stale) stale = a;
        if (a.fit == CrlFit::Invalid && !invalid) invalid = a;
    };
    for (const Crl& crl : crls.complete_crls_for(cert.issuer_name())) {  // newest first
        if (crl.is_delta()) continue;
        Assessment a = assess(crl, cert, issuer, ctx);
        if (a.fit == CrlFit::Usable) {
            outcome = apply(crl, cert, issuer, ctx);
            break;
        }
        note(a);
    }
    if (!outcome.decided) {
        // Indirect CRLs: named by cRLIssuer in the certificate, or holding entries for its
        // issuer; their signer must itself validate to an anchor.
        std::vector<Crl> indirect = crls.indirect_crls_for(cert.issuer_name());
        for (const X509NamePtr& name : crl_issuer_names(cert))
            for (Crl& crl : crls.complete_crls_for(name.get())) indirect.push_back(std::move(crl));
        for (const Crl& crl : indirect) {
            if (crl.is_delta() || !crl.is_indirect()) continue;
            const Certificate* signer = find_crl_signer(crl, ctx);
            if (signer == nullptr) {
                note({CrlFit::Invalid, "no valid signer for indirect " + crl_label(crl)});
                continue;
            }
            Assessment a = assess(crl, cert, *signer, ctx);
            if (a.fit == CrlFit::Usable) {
                outcome = apply(crl, cert, *signer, ctx);
                break;
            }
            note(a);
        }
    }
    if (outcome.decided) {
        if (!outcome.entry) return {};
        const RevocationEntry& e = *outcome.entry;
        RevocationInfo info{e.revoked_at, std::string(e.reason_name()), cert.serial_hex(),
                            cert.subject(), outcome.crl_issuer};
        PathCheck result = fail(ValidationStatus::Revoked,
                                describe(cert) + " was revoked on " + format_rfc3339(e.revoked_at) +
                                    " (reason: " + info.reason + ")",
                                index);
        result.revocation = std::move(info);
        return result;
    }
    checked = false;
    if (stale) return fail(ValidationStatus::CrlStale, stale->why, index);
    if (ctx.options.require_revocation) {
        if (invalid) return fail(ValidationStatus::CrlInvalid, invalid->why, index);
        return fail(ValidationStatus::CrlMissing,
                    "no usable CRL for " + describe(cert) + " (issuer '" + cert.issuer() + "')",
                    index);
    }
    return {};  // revocation not required and nothing usable: treated as unchecked
}

}  // namespace

PathCheck revocation_checks(const CertPath& path, const RevocationContext& ctx,
                            bool& revocation_checked) {
    revocation_checked = path.size() >= 2;
    if (!ctx.options.crls || ctx.options.crls->size() == 0) {
        revocation_checked = false;
        if (ctx.options.require_revocation && path.size() >= 2)
            return fail(ValidationStatus::CrlMissing,
                        "revocation checking is required but no CRLs are configured (for " +
                            describe(*path.front()) + ")",
                        0);
        return {};
    }
    // Every certificate below the trust anchor (the anchor is trusted as configured),
    // from the top down as in RFC 5280 6.1, so a revoked CA is reported as such.
    for (std::size_t i = path.size() - 1; i-- > 0;) {
        PathCheck r =
            check_one(*path[i], *path[i + 1], static_cast<int>(i), ctx, revocation_checked);
        if (!r.ok()) return r;
    }
    return {};
}

}  // namespace pkibridge::pkcs::cmsdetail
