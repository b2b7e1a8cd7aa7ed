// Reason codes shared by path validation and CMS verification. The names are stable
// machine-readable strings (CLI output, JSON reports, server errors); see
// docs/verification.md for what each one means.
#pragma once

#include <string_view>

namespace pkibridge::pkcs {

enum class ValidationStatus {
    Valid,                 // "valid"
    Malformed,             // "malformed": not parseable as the expected CMS / certificate
    NoSigner,              // "no-signer": no SignerInfo, or the signer certificate is absent
    ContentMissing,        // "content-missing": detached CMS and no content was supplied
    ContentMismatch,       // "content-mismatch": messageDigest does not match the content
    SignatureInvalid,      // "signature-invalid": the CMS signature does not verify
    SignerMismatch,        // "signer-mismatch": signingCertificate(V2) names another cert
    UnsupportedAlgorithm,  // "unsupported-algorithm": digest/signature algorithm not accepted
    Untrusted,             // "untrusted": no path to a trust anchor
    CertSignatureInvalid,  // "cert-signature-invalid": a certificate signature in the path fails
    InvalidCa,             // "invalid-ca": an issuer is not a CA (basicConstraints/keyCertSign)
    InvalidCertificate,    // "invalid-certificate": a certificate breaks the RFC 5280 profile
    NameConstraints,       // "name-constraints": a name constraint is violated
    PathTooLong,           // "path-too-long": max depth or pathLenConstraint exceeded
    PolicyViolation,       // "policy-violation": certificate policy processing failed
    Revoked,               // "revoked"
    CrlMissing,            // "crl-missing": revocation required and no usable CRL
    CrlStale,              // "crl-stale": the newest usable CRL is past nextUpdate + grace
    CrlInvalid,            // "crl-invalid": a CRL for the issuer fails signature/issuer checks
    Expired,               // "expired": at > notAfter of a certificate in the path
    NotYetValid,           // "not-yet-valid": at < notBefore
    BadKeyUsage,           // "bad-key-usage"
    BadEku,                // "bad-eku"
    InternalError,         // "internal-error": an unexpected OpenSSL failure
};

std::string_view validation_status_name(ValidationStatus status) noexcept;

}  // namespace pkibridge::pkcs
