// How a digest is signed through PKCS#11: the mechanism, its parameters and the input.
// CKM_RSA_PKCS gets the DigestInfo (built with OpenSSL), CKM_RSA_PKCS_PSS the digest with
// MGF1 over the same hash and salt length = hash length, CKM_ECDSA the digest (the module
// returns raw r||s, which the caller turns into DER).
#pragma once

#include "pkcs11/cryptoki.hpp"
#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::pkcs11 {

struct SignMechanism {
    CK_MECHANISM_TYPE type = CKM_RSA_PKCS;
    CK_RSA_PKCS_PSS_PARAMS pss{};  // used when type is CKM_RSA_PKCS_PSS
    pkcs::Bytes input;

    // A CK_MECHANISM that points into this object (keep it alive during C_SignInit).
    CK_MECHANISM mechanism();
};

// Throws CardError(UnsupportedKey) when `scheme` does not fit `key_type` (CKK_RSA / CKK_EC).
SignMechanism sign_mechanism(CK_KEY_TYPE key_type, pkcs::ByteView digest, pkcs::HashAlgorithm alg,
                             pkcs::SignatureScheme scheme);

std::string mechanism_name(CK_MECHANISM_TYPE type);  // "CKM_ECDSA"

}  // namespace pkibridge::host::pkcs11
