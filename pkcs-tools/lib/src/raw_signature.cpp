#include "pkibridge/pkcs/raw_signature.hpp"

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <string>

#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::pkcs {
namespace {

bool is_rsa(EVP_PKEY* key) {
    return EVP_PKEY_is_a(key, "RSA") != 0;
}
bool is_rsa_pss(EVP_PKEY* key) {
    return EVP_PKEY_is_a(key, "RSA-PSS") != 0;
}
bool is_ec(EVP_PKEY* key) {
    return EVP_PKEY_is_a(key, "EC") != 0;
}

void check_digest_length(HashAlgorithm alg, ByteView digest) {
    if (digest.size() != hash_size(alg))
        throw PkcsError(ErrorCode::InvalidArgument, "digest is " + std::to_string(digest.size()) +
                                                        " bytes, " + std::string(hash_name(alg)) +
                                                        " needs " + std::to_string(hash_size(alg)));
}

// Sets padding, hash and (for PSS) MGF1 hash and salt length on a sign/verify context.
void configure(EVP_PKEY_CTX* ctx, HashAlgorithm alg, SignatureScheme scheme) {
    const EVP_MD* md = hash_md(alg);
    bool ok = EVP_PKEY_CTX_set_signature_md(ctx, md) > 0;
    if (ok && scheme == SignatureScheme::RsaPkcs1)
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
    if (ok && scheme == SignatureScheme::RsaPss)
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, static_cast<int>(hash_size(alg))) > 0;
    if (!ok) throw_openssl(ErrorCode::Crypto, "configuring the signature parameters failed");
}

}  // namespace

Bytes ecdsa_signature_to_der(ByteView signature, EVP_PKEY* public_key) {
    const unsigned char* p = signature.data();
    OsslPtr<ECDSA_SIG, ECDSA_SIG_free> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
    if (sig && p == signature.data() + signature.size())
        return Bytes(signature.begin(), signature.end());
    drain_openssl_errors();
    const std::size_t field = static_cast<std::size_t>(EVP_PKEY_get_bits(public_key) + 7) / 8;
    if (signature.size() == 2 * field) return ecdsa_raw_to_der(signature);
    throw PkcsError(ErrorCode::Malformed,
                    "ECDSA signature is neither DER nor raw r||s of the key's size");
}

SignatureScheme default_scheme(EVP_PKEY* key) {
    if (key == nullptr) throw PkcsError(ErrorCode::InvalidArgument, "no key");
    if (is_rsa(key)) return SignatureScheme::RsaPkcs1;
    if (is_rsa_pss(key)) return SignatureScheme::RsaPss;
    if (is_ec(key)) return SignatureScheme::Ecdsa;
    throw PkcsError(ErrorCode::Unsupported,
                    std::string("unsupported key type ") + EVP_PKEY_get0_type_name(key));
}

void check_scheme_fits_key(SignatureScheme scheme, EVP_PKEY* key) {
    if (key == nullptr) throw PkcsError(ErrorCode::InvalidArgument, "no key");
    bool fits = false;
    switch (scheme) {
        case SignatureScheme::RsaPkcs1:
            fits = is_rsa(key);
            break;
        case SignatureScheme::RsaPss:
            fits = is_rsa(key) || is_rsa_pss(key);
            break;
        case SignatureScheme::Ecdsa:
            fits = is_ec(key);
            break;
    }
    if (!fits)
        throw PkcsError(ErrorCode::InvalidArgument,
                        std::string("signature scheme ") + std::string(scheme_name(scheme)) +
                            " cannot be used with a " + EVP_PKEY_get0_type_name(key) + " key");
}

Bytes raw_sign(EVP_PKEY* private_key, ByteView digest, HashAlgorithm alg, SignatureScheme scheme) {
    check_digest_length(alg, digest);
    check_scheme_fits_key(scheme, private_key);
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(private_key, nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1)
        throw_openssl(ErrorCode::Crypto, "EVP_PKEY_sign_init failed (is this a private key?)");
    configure(ctx.get(), alg, scheme);
    std::size_t len = 0;
    if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
        throw_openssl(ErrorCode::Crypto, "EVP_PKEY_sign failed");
    Bytes sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1)
        throw_openssl(ErrorCode::Crypto, "EVP_PKEY_sign failed");
    sig.resize(len);
    return sig;
}

bool raw_verify(EVP_PKEY* public_key, ByteView digest, HashAlgorithm alg, SignatureScheme scheme,
                ByteView signature) {
    check_digest_length(alg, digest);
    check_scheme_fits_key(scheme, public_key);
    Bytes converted;
    if (scheme == SignatureScheme::Ecdsa) {
        try {
            converted = ecdsa_signature_to_der(signature, public_key);
        } catch (const PkcsError&) {
            return false;
        }
        signature = converted;
    }
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(public_key, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1)
        throw_openssl(ErrorCode::Crypto, "EVP_PKEY_verify_init failed");
    configure(ctx.get(), alg, scheme);
    int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                             digest.size());
    drain_openssl_errors();  // a bad signature leaves errors on the queue
    return rc == 1;
}

}  // namespace pkibridge::pkcs
