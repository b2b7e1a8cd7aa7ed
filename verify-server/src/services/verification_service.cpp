#include "services/verification_service.hpp"

#include <algorithm>
#include <limits>

#include "core/errors.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::server {

using nlohmann::json;

namespace {
constexpr std::string_view kProfile = "ds-or-nr";  // key usage profile of the cache key
}

pkcs::TrustStore load_trust_store(const TrustConfig& config) {
    pkcs::TrustStore trust;
    auto load = [](const std::filesystem::path& p, std::vector<pkcs::Certificate>& into,
                   const char* what) {
        try {
            auto certs = pkcs::load_certificates(p);
            if (certs.empty())
                throw ConfigError(std::string(what) + " file " + p.string() +
                                  " holds no certificate");
            for (auto& c : certs) into.push_back(std::move(c));
        } catch (const pkcs::PkcsError& e) {
            throw ConfigError(std::string(what) + " " + p.string() + ": " + e.what());
        }
    };
    for (const auto& p : config.anchors) load(p, trust.anchors, "trust anchor");
    for (const auto& p : config.intermediates) load(p, trust.intermediates, "intermediate");
    return trust;
}

VerificationService::VerificationService(pkcs::TrustStore trust, CrlManager& crls,
                                         const Clock& clock, VerificationPolicy policy,
                                         std::size_t cache_entries)
    : trust_(std::move(trust)),
      crls_(crls),
      clock_(clock),
      policy_(std::move(policy)),
      cache_(cache_entries),
      certificates_(cache_entries) {
    trust_certificates_ = trust_.anchors;
    trust_certificates_.insert(trust_certificates_.end(), trust_.intermediates.begin(),
                               trust_.intermediates.end());
}

pkcs::CmsSignatureResult VerificationService::check_signature(
    pkcs::ByteView cms, std::optional<pkcs::ByteView> detached,
    const std::vector<pkcs::Certificate>& known) const {
    if (known.empty()) return pkcs::verify_cms_signature(cms, detached, trust_certificates_);
    std::vector<pkcs::Certificate> all = known;
    all.insert(all.end(), trust_certificates_.begin(), trust_certificates_.end());
    return pkcs::verify_cms_signature(cms, detached, all);
}

std::optional<pkcs::Certificate> VerificationService::certificate(pkcs::ByteView der,
                                                                  const std::string& fingerprint) {
    return certificates_.get(der, fingerprint);
}

pkcs::PathResult VerificationService::run_validation(
    const pkcs::Certificate& signer, const std::vector<pkcs::Certificate>& embedded,
    const std::shared_ptr<const CrlSnapshot>& crls) const {
    pkcs::ValidationOptions options;
    options.at = clock_.now_unix();
    options.require_revocation = policy_.require_revocation;
    options.crls = crls ? crls->crls : nullptr;
    options.crl_grace_seconds = policy_.crl_grace_seconds;
    options.key_usage_any = policy_.key_usage_any;
    return pkcs::validate_path(signer, embedded, trust_, options);
}

std::int64_t VerificationService::cache_valid_until(const pkcs::PathResult& path,
                                                    const CrlSnapshot& crls) const {
    std::int64_t until = std::numeric_limits<std::int64_t>::max();
    for (const auto& cert : path.chain) until = std::min(until, cert.not_after() + 1);
    if (crls.crls) {
        for (std::size_t i = 0; i + 1 < path.chain.size(); ++i) {
            auto crl = crls.crls->latest_complete(path.chain[i + 1].subject_name());
            if (crl && crl->next_update()) {
                until = std::min(until, *crl->next_update() + policy_.crl_grace_seconds + 1);
            }
        }
    }
    return until;
}

PathOutcome VerificationService::validate_signer(const pkcs::Certificate& signer,
                                                 const std::vector<pkcs::Certificate>& embedded,
                                                 const std::string& fingerprint) {
    PathOutcome out;
    out.crls = crls_.snapshot();
    const std::int64_t now = clock_.now_unix();
    const std::string key = ChainCache::make_key(fingerprint, kProfile, out.crls->generation);
    if (auto hit = cache_.find(key, now)) {
        out.path = std::move(*hit);
        out.from_cache = true;
        return out;
    }
    out.path = run_validation(signer, embedded, out.crls);
    // crl-missing is only reported for a chain that reached a trust anchor, so the
    // distribution points in it were put there by a CA we trust: safe to fetch.
    if (out.path.status == pkcs::ValidationStatus::CrlMissing &&
        crls_.distribution_points_enabled()) {
        if (crls_.add_distribution_points(out.path.chain)) {
            out.crls = crls_.snapshot();
            out.path = run_validation(signer, embedded, out.crls);
        }
    }
    if (out.path.ok()) {
        const std::string fresh_key =
            ChainCache::make_key(fingerprint, kProfile, out.crls->generation);
        cache_.insert(fresh_key, out.path, cache_valid_until(out.path, *out.crls));
    }
    return out;
}

pkcs::CmsVerifyResult VerificationService::verify(pkcs::ByteView cms,
                                                  std::optional<pkcs::ByteView> detached,
                                                  PathOutcome* path_out) {
    pkcs::CmsVerifyResult result;
    result.signature = check_signature(cms, detached);
    if (!result.signature.ok() || !result.signature.signer) {
        result.status = result.signature.status;
        result.message = result.signature.message;
        return result;
    }
    PathOutcome outcome =
        validate_signer(*result.signature.signer, result.signature.embedded_certificates,
                        result.signature.signer->sha256_fingerprint());
    result.path = outcome.path;
    result.status = outcome.path.status;
    result.message = outcome.path.message;
    if (path_out) *path_out = std::move(outcome);
    return result;
}

json VerificationService::revocation_json(const PathOutcome& outcome) const {
    json crls = json::array();
    const auto& chain = outcome.path.chain;
    if (outcome.crls && outcome.crls->crls) {
        for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
            auto crl = outcome.crls->crls->latest_complete(chain[i + 1].subject_name());
            if (!crl) continue;
            crls.push_back(
                {{"forCertificate", chain[i].subject()},
                 {"issuer", crl->issuer()},
                 {"thisUpdate", pkcs::format_rfc3339(crl->this_update())},
                 {"nextUpdate", crl->next_update() ? json(pkcs::format_rfc3339(*crl->next_update()))
                                                   : json(nullptr)},
                 {"number", crl->number() ? json(crl->number()->decimal()) : json(nullptr)},
                 {"entries", crl->size()},
                 {"source", outcome.crls->source_of(*crl)}});
        }
    }
    std::string status = "unknown";
    if (outcome.path.status == pkcs::ValidationStatus::Revoked)
        status = "revoked";
    else if (outcome.path.ok() && outcome.path.revocation_checked)
        status = "good";
    return {{"method", "crl"},
            {"checked", outcome.path.revocation_checked},
            {"status", status},
            {"required", policy_.require_revocation},
            {"crlGeneration", outcome.crls ? outcome.crls->generation : 0},
            {"cachedPath", outcome.from_cache},
            {"crls", std::move(crls)}};
}

}  // namespace pkibridge::server
