#include "piv/signature_input.hpp"

#include <algorithm>

#include "card/card_error.hpp"
#include "piv/piv_constants.hpp"

namespace pkibridge::host::piv {

using card::CardError;
using card::CardFailure;

SignRequest prepare_signature(const pkcs::Certificate& certificate, pkcs::ByteView digest,
                              pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme) {
    const std::string type = certificate.key_type();
    if (type == "RSA") {
        const int bits = certificate.key_bits();
        std::uint8_t id = 0;
        switch (bits) {
            case 1024:
                id = kAlgRsa1024;
                break;
            case 2048:
                id = kAlgRsa2048;
                break;
            case 3072:
                id = kAlgRsa3072;
                break;
            case 4096:
                id = kAlgRsa4096;
                break;
            default:
                throw CardError(CardFailure::UnsupportedKey,
                                "PIV cannot sign with an RSA-" + std::to_string(bits) + " key");
        }
        const std::size_t modulus_bytes = static_cast<std::size_t>(bits) / 8;
        if (scheme == pkcs::SignatureScheme::RsaPkcs1)
            return {id, pkcs::pkcs1_v15_block(alg, digest, modulus_bytes)};
        if (scheme == pkcs::SignatureScheme::RsaPss)
            return {id, pkcs::pss_block(alg, digest, certificate.public_key())};
        throw CardError(CardFailure::UnsupportedKey, "an RSA key cannot make ECDSA signatures");
    }
    if (type == "EC") {
        if (scheme != pkcs::SignatureScheme::Ecdsa)
            throw CardError(CardFailure::UnsupportedKey, "an EC key makes ECDSA signatures only");
        const std::string curve = certificate.curve();
        std::size_t field = 0;
        std::uint8_t id = 0;
        if (curve == "P-256")
            field = 32, id = kAlgEccP256;
        else if (curve == "P-384")
            field = 48, id = kAlgEccP384;
        else
            throw CardError(CardFailure::UnsupportedKey, "PIV cannot sign with curve " + curve);
        // ECDSA uses the leftmost field-size bytes of the hash; a shorter hash keeps its value
        // when padded with leading zeros.
        pkcs::Bytes challenge(field, 0);
        if (digest.size() >= field)
            std::copy(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(field),
                      challenge.begin());
        else
            std::copy(digest.begin(), digest.end(),
                      challenge.end() - static_cast<std::ptrdiff_t>(digest.size()));
        return {id, challenge};
    }
    throw CardError(CardFailure::UnsupportedKey, "PIV cannot sign with a " + type + " key");
}

}  // namespace pkibridge::host::piv
