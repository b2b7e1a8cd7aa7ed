#include "pkibridge/pkcs/validation_status.hpp"

namespace pkibridge::pkcs {

std::string_view validation_status_name(ValidationStatus status) noexcept {
    switch (status) {
        case ValidationStatus::Valid:
            return "valid";
        case ValidationStatus::Malformed:
            return "malformed";
        case ValidationStatus::NoSigner:
            return "no-signer";
        case ValidationStatus::ContentMissing:
            return "content-missing";
        case ValidationStatus::ContentMismatch:
            return "content-mismatch";
        case ValidationStatus::SignatureInvalid:
            return "signature-invalid";
        case ValidationStatus::SignerMismatch:
            return "signer-mismatch";
        case ValidationStatus::UnsupportedAlgorithm:
            return "unsupported-algorithm";
        case ValidationStatus::Untrusted:
            return "untrusted";
        case ValidationStatus::CertSignatureInvalid:
            return "cert-signature-invalid";
        case ValidationStatus::InvalidCa:
            return "invalid-ca";
        case ValidationStatus::InvalidCertificate:
            return "invalid-certificate";
        case ValidationStatus::NameConstraints:
            return "name-constraints";
        case ValidationStatus::PathTooLong:
            return "path-too-long";
        case ValidationStatus::PolicyViolation:
            return "policy-violation";
        case ValidationStatus::Revoked:
            return "revoked";
        case ValidationStatus::CrlMissing:
            return "crl-missing";
        case ValidationStatus::CrlStale:
            return "crl-stale";
        case ValidationStatus::CrlInvalid:
            return "crl-invalid";
        case ValidationStatus::Expired:
            return "expired";
        case ValidationStatus::NotYetValid:
            return "not-yet-valid";
        case ValidationStatus::BadKeyUsage:
            return "bad-key-usage";
        case ValidationStatus::BadEku:
            return "bad-eku";
        case ValidationStatus::InternalError:
            return "internal-error";
    }
    return "internal-error";
}

}  // namespace pkibridge::pkcs
