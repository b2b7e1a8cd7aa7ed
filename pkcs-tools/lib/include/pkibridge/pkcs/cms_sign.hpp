// CMS (PKCS#7) SignedData creation where the private key lives outside this process: the
// caller supplies a "sign this digest" callback, so a smart card or a PKCS#11 token signs.
//
// Output is CAdES-BES style: signed attributes contentType, messageDigest, signingTime,
// signingCertificateV2 (ESSCertIDv2 with issuerSerial), optionally the PKCS#9 randomNonce
// (1.2.840.113549.1.9.25.3, OCTET STRING) and the GPKI card serial (2.16.886.1.100.2.204,
// PrintableString). The signer certificate is always embedded; the chain optionally.
// See docs/verification.md for the exact profile.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

// Signs `digest` (a hash of `alg`, already computed) with `scheme`. Returns the RSA
// signature (PKCS#1 v1.5 over DigestInfo, or RSASSA-PSS with MGF1(same hash) and salt =
// hash length), or an ECDSA signature as DER Ecdsa-Sig-Value (raw r||s is accepted too and
// converted). May throw; the exception propagates out of cms_sign unchanged.
using SignDigestFn =
    std::function<Bytes(ByteView digest, HashAlgorithm alg, SignatureScheme scheme)>;

struct ExternalSigner {
    Certificate certificate;  // whose public key matches the key that signs
    SignDigestFn sign_digest;
};

// A signer backed by a private key in memory (tests, the CLI, software tokens).
ExternalSigner software_signer(Certificate certificate, EvpPkeyPtr private_key);

struct CmsSignOptions {
    HashAlgorithm hash = HashAlgorithm::Sha256;
    bool detached = false;  // leave the content out of the CMS
    // Default from the key: RSA -> RsaPkcs1, EC -> Ecdsa. RsaPss only when asked for.
    std::optional<SignatureScheme> scheme;
    std::optional<std::int64_t> signing_time;  // Unix seconds; default: now
    bool include_signing_time = true;
    std::optional<Bytes> nonce;              // PKCS#9 randomNonce attribute
    std::optional<std::string> card_serial;  // PrintableString characters only
    std::vector<Certificate> chain;          // extra certificates to embed (not the signer)
    // Check the callback's signature with the certificate's public key before embedding it
    // (catches a card that signed with another key). Costs one public-key verify.
    bool check_signature = true;
};

// CMS SignedData (DER) over `content`, attached unless options.detached.
Bytes cms_sign(ByteView content, const ExternalSigner& signer, const CmsSignOptions& options);

// Detached CMS SignedData over content the caller already hashed with options.hash
// (options.detached is ignored: the content is not here to embed). Throws
// PkcsError(InvalidArgument) when the digest length does not fit options.hash.
Bytes cms_sign_digest(ByteView content_digest, const ExternalSigner& signer,
                      const CmsSignOptions& options);

// PEM ("-----BEGIN CMS-----") of a DER CMS, as `openssl cms -outform PEM` writes it.
std::string cms_der_to_pem(ByteView der);

}  // namespace pkibridge::pkcs
