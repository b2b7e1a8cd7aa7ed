// Internal: signing and verifying a SIGNED{ToBeSigned} structure (X.509 certificate,
// CRL) from the raw DER of its to-be-signed part, so that big CRLs never have to exist
// as OpenSSL objects.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs::certdetail {

// True when signature over tbs (a complete DER TLV) verifies with key under alg.
bool verify_signed_tbs(ByteView tbs, const X509_ALGOR* alg, const ASN1_BIT_STRING* signature,
                       EVP_PKEY* key);

// SEQUENCE { tbs, algorithm, signature } signed with key/md. The algorithm OpenSSL
// picks is the one X509_CRL_sign would write (so it matches the tbs inner field when that
// was produced by X509_CRL_sign with the same key and md).
Bytes sign_tbs(ByteView tbs, EVP_PKEY* key, const EVP_MD* md);

}  // namespace pkibridge::pkcs::certdetail
