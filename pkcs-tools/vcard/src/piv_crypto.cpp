#include "pkibridge/vcard/piv_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <cstring>
#include <string>

#include "pkibridge/vcard/apdu.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"

namespace pkibridge::vcard {

using pkcs::EvpPkeyCtxPtr;
using pkcs::EvpPkeyPtr;

namespace {

using BnCtxPtr = pkcs::OsslPtr<BN_CTX, BN_CTX_free>;
using EcGroupPtr = pkcs::OsslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = pkcs::OsslPtr<EC_POINT, EC_POINT_free>;
using ParamBldPtr = pkcs::OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = pkcs::OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using CipherCtxPtr = pkcs::OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using pkcs::BignumPtr;
// Private key components are wiped when freed.
using SecretBnPtr = pkcs::OsslPtr<BIGNUM, BN_clear_free>;

[[noreturn]] void reject(std::uint16_t status, const std::string& why) {
    pkcs::drain_openssl_errors();
    throw StatusError(status, why);
}

const char* curve_name(std::uint8_t alg) {
    return alg == piv::alg::kEccP256 ? "P-256" : "P-384";
}

int curve_nid(std::uint8_t alg) {
    return alg == piv::alg::kEccP256 ? NID_X9_62_prime256v1 : NID_secp384r1;
}

SecretBnPtr bn_from(ByteView b) {
    SecretBnPtr bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
    if (!bn) pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "BN_bin2bn");
    return bn;
}

Bytes bn_bytes(const BIGNUM* bn) {
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

EvpPkeyPtr key_from_params(const char* type, OSSL_PARAM_BLD* bld, int selection) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
        reject(sw::kWrongData, std::string("key components do not form a valid ") + type + " key");
    }
    return EvpPkeyPtr(raw);
}

void require_consistent(EVP_PKEY* key) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!ctx || EVP_PKEY_pairwise_check(ctx.get()) != 1)
        reject(sw::kWrongData, "imported key fails its consistency check");
}

EvpPkeyPtr import_rsa(std::uint8_t alg, const std::vector<Tlv>& fields) {
    auto get = [&](std::uint32_t t) {
        auto v = find_tlv(fields, t);
        if (!v || v->empty()) reject(sw::kWrongData, "RSA key component missing");
        return bn_from(*v);
    };
    auto p = get(0x01), q = get(0x02), dp = get(0x03), dq = get(0x04), qinv = get(0x05);
    BnCtxPtr bnctx(BN_CTX_new());
    SecretBnPtr n(BN_new()), e(BN_new()), d(BN_new()), p1(BN_dup(p.get())), q1(BN_dup(q.get())),
        phi(BN_new());
    if (!bnctx || !n || !e || !d || !p1 || !q1 || !phi || !BN_set_word(e.get(), RSA_F4) ||
        !BN_mul(n.get(), p.get(), q.get(), bnctx.get()) || !BN_sub_word(p1.get(), 1) ||
        !BN_sub_word(q1.get(), 1) || !BN_mul(phi.get(), p1.get(), q1.get(), bnctx.get())) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "RSA arithmetic");
    }
    if (static_cast<std::size_t>(BN_num_bytes(n.get())) != key_size_bytes(alg))
        reject(sw::kWrongData, "RSA key size does not match the algorithm");
    if (!BN_mod_inverse(d.get(), e.get(), phi.get(), bnctx.get()))
        reject(sw::kWrongData, "RSA primes do not admit the exponent 65537");
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get())) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "OSSL_PARAM_BLD");
    }
    auto key = key_from_params("RSA", bld.get(), EVP_PKEY_KEYPAIR);
    require_consistent(key.get());
    return key;
}

EvpPkeyPtr import_ec(std::uint8_t alg, const std::vector<Tlv>& fields) {
    auto scalar = find_tlv(fields, 0x06);
    if (!scalar || scalar->empty() || scalar->size() > key_size_bytes(alg))
        reject(sw::kWrongData, "EC private scalar missing or too long");
    auto d = bn_from(*scalar);
    EcGroupPtr group(EC_GROUP_new_by_curve_name(curve_nid(alg)));
    BnCtxPtr bnctx(BN_CTX_new());
    if (!group || !bnctx) pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "EC group");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        reject(sw::kWrongData, "EC private scalar out of range");
    // The public point is not sent; derive it as d*G.
    EcPointPtr point(EC_POINT_new(group.get()));
    if (!point || !EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, bnctx.get()))
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "EC_POINT_mul");
    Bytes pub(1 + 2 * key_size_bytes(alg));
    if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(),
                           pub.size(), bnctx.get()) != pub.size()) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "EC_POINT_point2oct");
    }
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_name(alg),
                                         0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(),
                                          pub.size())) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "OSSL_PARAM_BLD");
    }
    auto key = key_from_params("EC", bld.get(), EVP_PKEY_KEYPAIR);
    require_consistent(key.get());
    return key;
}

const EVP_CIPHER* management_evp_cipher(std::uint8_t alg) {
    switch (alg) {
        case piv::alg::kTdes:
            return EVP_des_ede3_ecb();
        case piv::alg::kAes128:
            return EVP_aes_128_ecb();
        case piv::alg::kAes192:
            return EVP_aes_192_ecb();
        case piv::alg::kAes256:
            return EVP_aes_256_ecb();
        default:
            return nullptr;
    }
}

}  // namespace

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "RAND_bytes failed");
    return out;
}

std::optional<std::uint8_t> algorithm_of_key(EVP_PKEY* key) {
    if (!key) return std::nullopt;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
        switch (EVP_PKEY_get_bits(key)) {
            case 1024:
                return piv::alg::kRsa1024;
            case 2048:
                return piv::alg::kRsa2048;
            case 3072:
                return piv::alg::kRsa3072;
            default:
                return std::nullopt;
        }
    }
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        char name[64] = {0};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                           &len) != 1) {
            pkcs::drain_openssl_errors();
            return std::nullopt;
        }
        std::string n(name, len);
        if (n == "prime256v1" || n == "P-256") return piv::alg::kEccP256;
        if (n == "secp384r1" || n == "P-384") return piv::alg::kEccP384;
    }
    return std::nullopt;
}

bool is_rsa_algorithm(std::uint8_t alg) noexcept {
    return alg == piv::alg::kRsa1024 || alg == piv::alg::kRsa2048 || alg == piv::alg::kRsa3072;
}

bool is_ec_algorithm(std::uint8_t alg) noexcept {
    return alg == piv::alg::kEccP256 || alg == piv::alg::kEccP384;
}

std::size_t key_size_bytes(std::uint8_t alg) noexcept {
    switch (alg) {
        case piv::alg::kRsa1024:
            return 128;
        case piv::alg::kRsa2048:
            return 256;
        case piv::alg::kRsa3072:
            return 384;
        case piv::alg::kEccP256:
            return 32;
        case piv::alg::kEccP384:
            return 48;
        default:
            return 0;
    }
}

EvpPkeyPtr generate_card_key(std::uint8_t alg) {
    EVP_PKEY* raw = nullptr;
    if (is_rsa_algorithm(alg)) {
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", key_size_bytes(alg) * 8);
    } else if (is_ec_algorithm(alg)) {
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve_name(alg));
    } else {
        reject(sw::kWrongData, "unsupported key algorithm");
    }
    if (!raw) pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "key generation failed");
    return EvpPkeyPtr(raw);
}

EvpPkeyPtr import_card_key(std::uint8_t alg, const std::vector<Tlv>& fields) {
    if (is_rsa_algorithm(alg)) return import_rsa(alg, fields);
    if (is_ec_algorithm(alg)) return import_ec(alg, fields);
    reject(sw::kWrongP1P2, "unsupported key algorithm");
}

Bytes public_key_template(EVP_PKEY* key) {
    Bytes inner;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
        BIGNUM* n = nullptr;
        BIGNUM* e = nullptr;
        if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
            EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
            BN_free(n);
            pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "reading the RSA public key");
        }
        BignumPtr n_owner(n), e_owner(e);
        append_tlv(inner, 0x81, bn_bytes(n));
        append_tlv(inner, 0x82, bn_bytes(e));
    } else {
        Bytes point(256);
        std::size_t len = 0;
        if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                            point.size(), &len) != 1) {
            pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "reading the EC public key");
        }
        point.resize(len);
        append_tlv(inner, 0x86, point);
    }
    return make_tlv(piv::tag::kPublicKeyTemplate, inner);
}

Bytes rsa_raw_private(EVP_PKEY* key, ByteView block) {
    if (block.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key)))
        reject(sw::kWrongData, "RSA input must be exactly the modulus size");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &len, block.data(), block.size()) != 1) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "RSA setup");
    }
    Bytes out(len);
    if (EVP_PKEY_sign(ctx.get(), out.data(), &len, block.data(), block.size()) != 1)
        reject(sw::kWrongData, "RSA input is not smaller than the modulus");
    out.resize(len);
    return out;
}

Bytes ecdsa_sign_digest(EVP_PKEY* key, ByteView digest) {
    if (digest.empty() || digest.size() > 64) reject(sw::kWrongData, "bad digest length");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "ECDSA setup");
    }
    Bytes out(len);
    if (EVP_PKEY_sign(ctx.get(), out.data(), &len, digest.data(), digest.size()) != 1)
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "ECDSA signing failed");
    out.resize(len);
    return out;
}

Bytes ecdh_shared_secret(EVP_PKEY* key, ByteView peer_point) {
    auto alg = algorithm_of_key(key);
    if (!alg || !is_ec_algorithm(*alg)) reject(sw::kWrongData, "not an EC key");
    if (peer_point.size() != 1 + 2 * key_size_bytes(*alg) || peer_point[0] != 0x04)
        reject(sw::kWrongData, "peer point must be uncompressed and on the key's curve");
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_name(*alg),
                                         0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, peer_point.data(),
                                          peer_point.size())) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "OSSL_PARAM_BLD");
    }
    auto peer = key_from_params("EC", bld.get(), EVP_PKEY_PUBLIC_KEY);
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
        reject(sw::kWrongData, "peer point is not usable for ECDH");
    }
    Bytes out(len);
    if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1)
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "ECDH failed");
    out.resize(len);
    return out;
}

bool is_management_algorithm(std::uint8_t alg) noexcept {
    return management_evp_cipher(alg) != nullptr;
}

std::size_t management_key_length(std::uint8_t alg) noexcept {
    switch (alg) {
        case piv::alg::kTdes:
            return 24;
        case piv::alg::kAes128:
            return 16;
        case piv::alg::kAes192:
            return 24;
        case piv::alg::kAes256:
            return 32;
        default:
            return 0;
    }
}

std::size_t management_block_size(std::uint8_t alg) noexcept {
    return alg == piv::alg::kTdes ? 8 : 16;
}

Bytes management_cipher(std::uint8_t alg, ByteView key, ByteView block, bool encrypt) {
    const EVP_CIPHER* cipher = management_evp_cipher(alg);
    if (!cipher || key.size() != management_key_length(alg) ||
        block.size() != management_block_size(alg)) {
        throw StatusError(sw::kWrongData, "management key or block has the wrong size");
    }
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    Bytes out(block.size() + 32);
    int len = 0;
    int fin = 0;
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, encrypt) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_CipherUpdate(ctx.get(), out.data(), &len, block.data(),
                         static_cast<int>(block.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "management key cipher");
    }
    out.resize(static_cast<std::size_t>(len + fin));
    return out;
}

}  // namespace pkibridge::vcard
