// Signature and certificate checks for logins and for POST /api/v1/verify, through the
// PKCS library with the same rules as `pkcs-tool verify` (path to the configured anchors,
// CRL revocation that fails closed, validity, key usage). Validated paths are cached.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/path_validation.hpp"
#include "services/certificate_cache.hpp"
#include "services/chain_cache.hpp"
#include "services/crl_manager.hpp"

namespace pkibridge::server {

struct VerificationPolicy {
    bool require_revocation = true;
    std::int64_t crl_grace_seconds = 0;
    // Real MOICA cards log in with their signing certificate (nonRepudiation), so either
    // certificate of a card's pair is accepted.
    std::vector<std::string> key_usage_any = {"digitalSignature", "nonRepudiation"};
};

struct PathOutcome {
    pkcs::PathResult path;
    bool from_cache = false;
    std::shared_ptr<const CrlSnapshot> crls;  // the CRL snapshot the decision used
};

// Loads the configured trust anchors and intermediates; throws ConfigError.
pkcs::TrustStore load_trust_store(const TrustConfig& config);

class VerificationService {
public:
    VerificationService(pkcs::TrustStore trust, CrlManager& crls, const Clock& clock,
                        VerificationPolicy policy, std::size_t cache_entries);

    // The CMS signature alone (no trust decision). Never throws for bad input. Embedded
    // certificates equal to `known` or to a trust store certificate are not decoded again.
    pkcs::CmsSignatureResult check_signature(
        pkcs::ByteView cms, std::optional<pkcs::ByteView> detached,
        const std::vector<pkcs::Certificate>& known = {}) const;

    // A certificate from its DER, decoded once and then served from a cache; nullopt when
    // der is not a certificate. fingerprint: lowercase hex SHA-256 of der.
    std::optional<pkcs::Certificate> certificate(pkcs::ByteView der,
                                                 const std::string& fingerprint);

    // Path validation for a signer, from the cache when possible. When revocation data is
    // missing for a chain that is otherwise trusted, its CRL distribution points are
    // fetched once (bounded by the fetch timeout) and the path is validated again.
    PathOutcome validate_signer(const pkcs::Certificate& signer,
                                const std::vector<pkcs::Certificate>& embedded,
                                const std::string& fingerprint);

    // Signature, then path: the full result for /api/v1/verify.
    pkcs::CmsVerifyResult verify(pkcs::ByteView cms, std::optional<pkcs::ByteView> detached,
                                 PathOutcome* path_out = nullptr);

    // {checked, status, crls[] {issuer, thisUpdate, nextUpdate, number, source}} for a report.
    nlohmann::json revocation_json(const PathOutcome& outcome) const;

    const pkcs::TrustStore& trust() const noexcept { return trust_; }
    const ChainCache& cache() const noexcept { return cache_; }
    const VerificationPolicy& policy() const noexcept { return policy_; }

private:
    pkcs::PathResult run_validation(const pkcs::Certificate& signer,
                                    const std::vector<pkcs::Certificate>& embedded,
                                    const std::shared_ptr<const CrlSnapshot>& crls) const;
    std::int64_t cache_valid_until(const pkcs::PathResult& path, const CrlSnapshot& crls) const;

    pkcs::TrustStore trust_;
    std::vector<pkcs::Certificate> trust_certificates_;  // anchors + intermediates
    CrlManager& crls_;
    const Clock& clock_;
    VerificationPolicy policy_;
    ChainCache cache_;
    CertificateCache certificates_;
};

}  // namespace pkibridge::server
