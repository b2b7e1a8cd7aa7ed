// Key specifications for the test CA and the tools: generation and PKCS#8 export.
#include <openssl/pem.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/test_ca.hpp"

namespace pkibridge::pkcs {

std::string_view key_spec_name(KeySpec spec) noexcept {
    switch (spec) {
        case KeySpec::Rsa2048:
            return "rsa-2048";
        case KeySpec::Rsa4096:
            return "rsa-4096";
        case KeySpec::EcP256:
            return "ec-p256";
        case KeySpec::EcP384:
            return "ec-p384";
    }
    return "rsa-2048";
}

KeySpec parse_key_spec(std::string_view name) {
    for (KeySpec spec : {KeySpec::Rsa2048, KeySpec::Rsa4096, KeySpec::EcP256, KeySpec::EcP384})
        if (name == key_spec_name(spec)) return spec;
    throw PkcsError(ErrorCode::InvalidArgument,
                    "unknown key type '" + std::string(name) +
                        "' (accepted: rsa-2048, rsa-4096, ec-p256, ec-p384)");
}

EvpPkeyPtr generate_key(KeySpec spec) {
    EVP_PKEY* key = nullptr;
    switch (spec) {
        case KeySpec::Rsa2048:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
            break;
        case KeySpec::Rsa4096:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
            break;
        case KeySpec::EcP256:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
            break;
        case KeySpec::EcP384:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
            break;
    }
    if (key == nullptr) throw_openssl(ErrorCode::Crypto, "key generation failed");
    return EvpPkeyPtr(key);
}

std::string private_key_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throw_openssl(ErrorCode::Crypto, "BIO_new failed");
    // PEM_write_bio_PrivateKey writes PKCS#8 ("PRIVATE KEY") in OpenSSL 3.
    if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw_openssl(ErrorCode::Crypto, "cannot export private key");
    return bio_contents(bio.get());
}

}  // namespace pkibridge::pkcs
