// RFC 5280 certification path validation with CRL revocation checking.
//
// Order of checks for each candidate path (first failure decides, see docs/verification.md):
// path building and certificate signatures / CA constraints / name constraints / policies
// (OpenSSL X509_verify_cert, X509_V_FLAG_X509_STRICT, every trust anchor is accepted even
// when not self-signed) -> max depth -> revocation of every certificate below the anchor
// (our own CRL checks on a CrlSet) -> validity at `at` (inclusive of notAfter, to the second)
// -> key usage / extended key usage of the leaf.
// When several candidate paths exist (cross-certified or renewed intermediates), each is
// tried in turn (time-valid and shorter paths first) until one validates.
//
// Thread-safe: no shared mutable state; TrustStore and CrlSet are only read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/validation_status.hpp"

namespace pkibridge::pkcs {

class CrlSet;

struct TrustStore {
    std::vector<Certificate> anchors;        // trusted; need not be self-signed
    std::vector<Certificate> intermediates;  // untrusted candidates for path building
};

struct ValidationOptions {
    std::optional<std::int64_t> at;  // validation time (Unix seconds); default: now
    // When true, every certificate in the path below the anchor needs a usable CRL
    // (else crl-missing). When false, CRLs that exist for an issuer are still checked
    // (a revoked entry, a stale or invalid CRL still reject).
    bool require_revocation = false;
    std::shared_ptr<const CrlSet> crls;  // may be null: no CRLs
    std::int64_t crl_grace_seconds = 0;  // accept a CRL until nextUpdate + grace
    // Every EKU listed must be in the leaf's extendedKeyUsage (OpenSSL short names such as
    // "clientAuth", or dotted OIDs). A leaf without the extension, or with
    // anyExtendedKeyUsage, passes (RFC 5280); a CA in the path whose EKU extension lacks
    // the purpose fails.
    std::vector<std::string> required_eku;
    // The leaf needs at least one of these key usage bits when it has a keyUsage extension
    // (e.g. {"digitalSignature", "nonRepudiation"}); empty: no check.
    std::vector<std::string> key_usage_any;
    // Maximum number of intermediate CA certificates between the leaf and the anchor.
    int max_depth = 8;
    // RFC 5280 6.1.1 inputs. An empty policy_set means any-policy.
    std::vector<std::string> policy_set;
    bool explicit_policy = false;
    bool inhibit_policy_mapping = false;
    bool inhibit_any_policy = false;
    bool strict = true;  // X509_V_FLAG_X509_STRICT
};

struct RevocationInfo {
    std::int64_t revoked_at = 0;  // Unix seconds, from the CRL entry
    std::string reason;           // RFC 5280 reason name ("keyCompromise", ..., or "none")
    std::string serial_hex;       // of the revoked certificate
    std::string subject;          // of the revoked certificate
    std::string crl_issuer;       // issuer of the CRL that listed it
};

struct PathResult {
    ValidationStatus status = ValidationStatus::Untrusted;
    std::string message;  // human readable, English, names the certificate concerned
    // The path that validated (leaf first, anchor last), or on failure the best candidate
    // that was tried (possibly only the leaf).
    std::vector<Certificate> chain;
    int failing_index = -1;                    // index in chain of the culprit, -1 if none
    std::optional<RevocationInfo> revocation;  // when status == Revoked
    bool revocation_checked = false;  // every certificate below the anchor had a usable CRL
    int candidates_tried = 0;         // candidate paths examined

    bool ok() const noexcept { return status == ValidationStatus::Valid; }
    std::string_view reason() const noexcept { return validation_status_name(status); }
};

// Validates `leaf` against the trust store; extra_untrusted (e.g. certificates embedded in a
// CMS) join the untrusted intermediates. Never throws for certificate problems: every
// outcome is a PathResult.
PathResult validate_path(const Certificate& leaf, const std::vector<Certificate>& extra_untrusted,
                         const TrustStore& trust, const ValidationOptions& options);

}  // namespace pkibridge::pkcs
