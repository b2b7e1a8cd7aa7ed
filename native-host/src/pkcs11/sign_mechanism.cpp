#include "pkcs11/sign_mechanism.hpp"

#include "card/card_error.hpp"

namespace pkibridge::host::pkcs11 {
namespace {

using card::CardError;
using card::CardFailure;

struct PssHash {
    CK_MECHANISM_TYPE hash;
    CK_RSA_PKCS_MGF_TYPE mgf;
};

PssHash pss_hash(pkcs::HashAlgorithm alg) {
    switch (alg) {
        case pkcs::HashAlgorithm::Sha256:
            return {CKM_SHA256, CKG_MGF1_SHA256};
        case pkcs::HashAlgorithm::Sha384:
            return {CKM_SHA384, CKG_MGF1_SHA384};
        case pkcs::HashAlgorithm::Sha512:
            return {CKM_SHA512, CKG_MGF1_SHA512};
    }
    throw CardError(CardFailure::UnsupportedKey, "no PSS parameters for this hash");
}

}  // namespace

CK_MECHANISM SignMechanism::mechanism() {
    if (type == CKM_RSA_PKCS_PSS) return CK_MECHANISM{type, &pss, sizeof pss};
    return CK_MECHANISM{type, nullptr, 0};
}

SignMechanism sign_mechanism(CK_KEY_TYPE key_type, pkcs::ByteView digest, pkcs::HashAlgorithm alg,
                             pkcs::SignatureScheme scheme) {
    SignMechanism m;
    if (key_type == CKK_RSA) {
        if (scheme == pkcs::SignatureScheme::RsaPkcs1) {
            m.type = CKM_RSA_PKCS;
            m.input = pkcs::digest_info(alg, digest);
            return m;
        }
        if (scheme == pkcs::SignatureScheme::RsaPss) {
            const PssHash h = pss_hash(alg);
            m.type = CKM_RSA_PKCS_PSS;
            m.pss.hashAlg = h.hash;
            m.pss.mgf = h.mgf;
            m.pss.sLen = pkcs::hash_size(alg);
            m.input.assign(digest.begin(), digest.end());
            return m;
        }
        throw CardError(CardFailure::UnsupportedKey, "an RSA key cannot make ECDSA signatures");
    }
    if (key_type == CKK_EC) {
        if (scheme != pkcs::SignatureScheme::Ecdsa)
            throw CardError(CardFailure::UnsupportedKey, "an EC key makes ECDSA signatures only");
        m.type = CKM_ECDSA;
        m.input.assign(digest.begin(), digest.end());
        return m;
    }
    throw CardError(CardFailure::UnsupportedKey,
                    "the token's key type " + std::to_string(key_type) + " cannot sign here");
}

std::string mechanism_name(CK_MECHANISM_TYPE type) {
    switch (type) {
        case CKM_RSA_PKCS:
            return "CKM_RSA_PKCS";
        case CKM_RSA_PKCS_PSS:
            return "CKM_RSA_PKCS_PSS";
        case CKM_ECDSA:
            return "CKM_ECDSA";
        default:
            return "mechanism " + std::to_string(type);
    }
}

}  // namespace pkibridge::host::pkcs11
