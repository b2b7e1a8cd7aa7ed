// Plain signatures over a precomputed hash (no CMS): what a card or token returns, and what
// HiPKI-style "PKCS1" signatures carry. Also used by the software signer and by cms_sign to
// check what an external signer returned.
#pragma once

#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

// The scheme a key signs with unless told otherwise: RSA -> RsaPkcs1, RSA-PSS key -> RsaPss,
// EC -> Ecdsa. Throws PkcsError(Unsupported) for other key types.
SignatureScheme default_scheme(EVP_PKEY* key);
// Throws PkcsError(InvalidArgument) when the scheme cannot be used with the key
// (e.g. ECDSA with an RSA key, PKCS#1 v1.5 with an RSA-PSS-only key).
void check_scheme_fits_key(SignatureScheme scheme, EVP_PKEY* key);

// An ECDSA signature as DER: DER input (fully consumed) is returned as is, raw r||s of twice
// the key's field size is converted; anything else throws PkcsError(Malformed).
Bytes ecdsa_signature_to_der(ByteView signature, EVP_PKEY* public_key);

// Signs a digest of alg with a private key: RSA PKCS#1 v1.5 (DigestInfo), RSA-PSS
// (MGF1 with the same hash, salt length = hash length) or ECDSA (DER Ecdsa-Sig-Value).
// Throws PkcsError(InvalidArgument) on a digest of the wrong length or an unfit scheme.
Bytes raw_sign(EVP_PKEY* private_key, ByteView digest, HashAlgorithm alg, SignatureScheme scheme);

// Checks such a signature with a public key. ECDSA accepts DER or raw r||s. Never throws on
// a bad signature (returns false); throws InvalidArgument on a wrong digest length.
bool raw_verify(EVP_PKEY* public_key, ByteView digest, HashAlgorithm alg, SignatureScheme scheme,
                ByteView signature);

}  // namespace pkibridge::pkcs
