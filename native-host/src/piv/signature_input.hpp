// What GENERAL AUTHENTICATE must be given to sign a digest: PIV cards only do the raw key
// operation, so RSA needs the whole padded block and EC the digest fitted to the curve.
#pragma once

#include <cstdint>

#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"

namespace pkibridge::host::piv {

// The algorithm identifier and challenge GENERAL AUTHENTICATE needs to sign `digest` with
// the key of `certificate` (RSA: a full PKCS#1 v1.5 or PSS block; EC: the digest fitted to
// the field size). Throws CardError(UnsupportedKey).
struct SignRequest {
    std::uint8_t algorithm;
    pkcs::Bytes challenge;
};
SignRequest prepare_signature(const pkcs::Certificate& certificate, pkcs::ByteView digest,
                              pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme);

}  // namespace pkibridge::host::piv
