// Internal pieces of path validation: candidate path search, the OpenSSL structural checks
// of one path, and CRL revocation checks. Each returns a PathCheck; validate_path puts them
// together in the documented order.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/path_validation.hpp"

namespace pkibridge::pkcs::cmsdetail {

using CertPath = std::vector<const Certificate*>;  // leaf first, anchor last

struct PathCheck {
    ValidationStatus status = ValidationStatus::Valid;
    std::string message;
    int index = -1;  // culprit's index in the path
    std::optional<RevocationInfo> revocation;
    bool ok() const noexcept { return status == ValidationStatus::Valid; }
};

inline PathCheck fail(ValidationStatus status, std::string message, int index = -1) {
    return PathCheck{status, std::move(message), index, std::nullopt};
}

// "'CN=..., O=...' (serial 0A1B...)" for messages.
std::string describe(const Certificate& cert);
// describe(cert) + " expired at <time> (checked at <time>)" and the like.
std::string describe_time(const Certificate& cert, std::string_view what, std::int64_t when,
                          std::int64_t at);

struct CandidateSearch {
    std::vector<CertPath> paths;  // each ends at an anchor
    CertPath longest_dead_end;    // the longest chain that reached no anchor
    const Certificate* issuer_without_cert_sign = nullptr;  // name matched, no keyCertSign
};

// Depth-first search for issuer chains (name + key identifier match, X509_check_issued)
// from leaf to any anchor; at most max_certs certificates per path, loops excluded.
CandidateSearch find_candidate_paths(const Certificate& leaf,
                                     const std::vector<const Certificate*>& anchors,
                                     const std::vector<const Certificate*>& untrusted,
                                     std::size_t max_certs);

// X509_verify_cert on exactly this path (only its anchor trusted, partial chains allowed,
// times not checked here): signatures, CA and path length constraints, name constraints,
// critical extensions, strict profile checks and policies.
PathCheck openssl_path_checks(const CertPath& path, const ValidationOptions& options);

struct RevocationContext {
    const ValidationOptions& options;
    std::int64_t at;
    // Certificates that may have signed an indirect CRL (anchors and untrusted pool).
    const std::vector<const Certificate*>& known_certs;
    // Validates the signer of an indirect CRL (a path to an anchor, cRLSign).
    std::function<bool(const Certificate&)> crl_signer_valid;
};

// Revocation of every certificate below the anchor (see docs/verification.md).
// `revocation_checked` is set when every one of them had a usable CRL.
PathCheck revocation_checks(const CertPath& path, const RevocationContext& context,
                            bool& revocation_checked);

}  // namespace pkibridge::pkcs::cmsdetail
