// CMS (PKCS#7) SignedData verification: signature -> signer certificate -> path to the trust
// anchors (certificates embedded in the CMS count as untrusted) -> revocation -> validity ->
// key usage. Every outcome is a result with a reason code; nothing here throws for bad input.
// Thread-safe (no shared mutable state) so a server may call it from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/pkcs/path_validation.hpp"

namespace pkibridge::pkcs {

// DER, PEM ("CMS" or "PKCS7") or base64 of DER; throws PkcsError(Malformed) with a specific
// message (also on trailing garbage after the DER).
CmsPtr parse_cms(ByteView data);

struct CmsSignedAttributes {
    bool present = false;                     // the SignerInfo has signed attributes at all
    std::optional<std::string> content_type;  // dotted OID of the contentType attribute
    std::optional<Bytes> message_digest;
    std::optional<std::int64_t> signing_time;  // Unix seconds
    std::optional<Bytes> nonce;                // PKCS#9 randomNonce
    std::optional<std::string> card_serial;    // 2.16.886.1.100.2.204 (any string type)
    bool signing_certificate_v2 = false;       // ESS signingCertificateV2 present
    bool signing_certificate = false;          // ESS signingCertificate (v1, SHA-1) present
};

// The cryptographic part only: CMS signature and content, no trust decision.
struct CmsSignatureResult {
    ValidationStatus status = ValidationStatus::Malformed;
    std::string message;
    std::optional<Certificate> signer;
    std::vector<Certificate> embedded_certificates;  // all certificates in the CMS, untrusted
    std::string content_type;  // eContentType, dotted OID ("1.2.840.113549.1.7.1" = data)
    bool detached = false;
    std::optional<Bytes> content;  // attached content or the detached content supplied
    std::size_t signer_count = 0;
    std::optional<HashAlgorithm> digest_algorithm;
    std::string digest_algorithm_name;  // e.g. "sha256" (also when unsupported)
    std::optional<SignatureScheme> scheme;
    std::string signature_algorithm_name;  // e.g. "rsa-pss", or the OID's short name
    CmsSignedAttributes attributes;

    bool ok() const noexcept { return status == ValidationStatus::Valid; }
};

struct CmsVerifyResult {
    ValidationStatus status = ValidationStatus::Malformed;
    std::string message;
    CmsSignatureResult signature;
    PathResult path;  // meaningful only when the signature part passed

    bool ok() const noexcept { return status == ValidationStatus::Valid; }
    std::string_view reason() const noexcept { return validation_status_name(status); }
};

// Checks the signature of every SignerInfo (all must verify; details are reported for the
// first). detached_content is required for a detached CMS and refused for an attached one.
// Accepted digests: SHA-256/384/512; signatures: RSA PKCS#1 v1.5, RSA-PSS, ECDSA.
CmsSignatureResult verify_cms_signature(ByteView cms,
                                        std::optional<ByteView> detached_content = std::nullopt);
// As above, reusing already-parsed certificates that the CMS embeds byte for byte (a trust
// store's intermediates, a server's recent signers) instead of decoding them again: with
// OpenSSL 3.0 decoding a certificate costs about as much as several signature checks.
// verify_cms passes the trust store's anchors and intermediates here.
CmsSignatureResult verify_cms_signature(ByteView cms, std::optional<ByteView> detached_content,
                                        const std::vector<Certificate>& known_certificates);
// Detached CMS whose content the caller hashed already (with alg); the signer's digest
// algorithm must be the same, else content-mismatch.
CmsSignatureResult verify_cms_signature_digest(ByteView cms, ByteView content_digest,
                                               HashAlgorithm alg);

// Full verification: verify_cms_signature, then validate_path for the signer with the
// embedded certificates as extra untrusted ones. options.key_usage_any is applied to the
// signer as given (the CLI uses {"digitalSignature", "nonRepudiation"}).
CmsVerifyResult verify_cms(ByteView cms, std::optional<ByteView> detached_content,
                           const TrustStore& trust, const ValidationOptions& options);
CmsVerifyResult verify_cms_digest(ByteView cms, ByteView content_digest, HashAlgorithm alg,
                                  const TrustStore& trust, const ValidationOptions& options);

}  // namespace pkibridge::pkcs
