#include "pkibridge/pkcs/algorithms.hpp"

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {
namespace {

std::string normalised(std::string_view name) {
    std::string out;
    for (char c : name)
        if (c != '-' && c != '_')
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

void check_digest_length(HashAlgorithm alg, ByteView digest) {
    if (digest.size() != hash_size(alg))
        throw PkcsError(ErrorCode::InvalidArgument, "digest is " + std::to_string(digest.size()) +
                                                        " bytes, " + std::string(hash_name(alg)) +
                                                        " needs " + std::to_string(hash_size(alg)));
}

// MGF1 (RFC 8017 B.2.1). OpenSSL 3 exposes it only through deprecated RSA functions, and
// raw-RSA cards need the PSS encoding built here.
Bytes mgf1(HashAlgorithm alg, ByteView seed, std::size_t length) {
    Bytes mask;
    mask.reserve(length + hash_size(alg));
    Bytes block(seed.begin(), seed.end());
    block.resize(seed.size() + 4);
    for (std::uint32_t counter = 0; mask.size() < length; ++counter) {
        block[seed.size()] = static_cast<std::uint8_t>(counter >> 24);
        block[seed.size() + 1] = static_cast<std::uint8_t>(counter >> 16);
        block[seed.size() + 2] = static_cast<std::uint8_t>(counter >> 8);
        block[seed.size() + 3] = static_cast<std::uint8_t>(counter);
        Bytes h = digest(alg, block);
        mask.insert(mask.end(), h.begin(), h.end());
    }
    mask.resize(length);
    return mask;
}

}  // namespace

std::string_view hash_name(HashAlgorithm alg) noexcept {
    switch (alg) {
        case HashAlgorithm::Sha256:
            return "sha256";
        case HashAlgorithm::Sha384:
            return "sha384";
        case HashAlgorithm::Sha512:
            return "sha512";
    }
    return "sha256";
}

HashAlgorithm parse_hash_name(std::string_view name) {
    std::string n = normalised(name);
    if (n == "sha256") return HashAlgorithm::Sha256;
    if (n == "sha384") return HashAlgorithm::Sha384;
    if (n == "sha512") return HashAlgorithm::Sha512;
    throw PkcsError(ErrorCode::InvalidArgument, "unknown hash algorithm '" + std::string(name) +
                                                    "' (accepted: sha256, sha384, sha512)");
}

const EVP_MD* hash_md(HashAlgorithm alg) noexcept {
    switch (alg) {
        case HashAlgorithm::Sha256:
            return EVP_sha256();
        case HashAlgorithm::Sha384:
            return EVP_sha384();
        case HashAlgorithm::Sha512:
            return EVP_sha512();
    }
    return EVP_sha256();
}

std::size_t hash_size(HashAlgorithm alg) noexcept {
    switch (alg) {
        case HashAlgorithm::Sha256:
            return 32;
        case HashAlgorithm::Sha384:
            return 48;
        case HashAlgorithm::Sha512:
            return 64;
    }
    return 32;
}

Bytes digest(HashAlgorithm alg, ByteView data) {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, hash_md(alg), nullptr) != 1)
        throw_openssl(ErrorCode::Crypto, "EVP_Digest failed");
    out.resize(len);
    return out;
}

std::string_view scheme_name(SignatureScheme scheme) noexcept {
    switch (scheme) {
        case SignatureScheme::RsaPkcs1:
            return "rsa-pkcs1";
        case SignatureScheme::RsaPss:
            return "rsa-pss";
        case SignatureScheme::Ecdsa:
            return "ecdsa";
    }
    return "rsa-pkcs1";
}

std::optional<HashAlgorithm> hash_from_nid(int nid) noexcept {
    switch (nid) {
        case NID_sha256:
            return HashAlgorithm::Sha256;
        case NID_sha384:
            return HashAlgorithm::Sha384;
        case NID_sha512:
            return HashAlgorithm::Sha512;
        default:
            return std::nullopt;
    }
}

SignatureScheme parse_scheme_name(std::string_view name) {
    std::string n = normalised(name);
    if (n == "rsapkcs1" || n == "pkcs1" || n == "rsapkcs1v15") return SignatureScheme::RsaPkcs1;
    if (n == "rsapss" || n == "pss") return SignatureScheme::RsaPss;
    if (n == "ecdsa") return SignatureScheme::Ecdsa;
    throw PkcsError(ErrorCode::InvalidArgument, "unknown signature scheme '" + std::string(name) +
                                                    "' (accepted: rsa-pkcs1, rsa-pss, ecdsa)");
}

Bytes digest_info(HashAlgorithm alg, ByteView digest) {
    check_digest_length(alg, digest);
    OsslPtr<X509_SIG, X509_SIG_free> sig(X509_SIG_new());
    if (!sig) throw_openssl(ErrorCode::Crypto, "X509_SIG_new failed");
    X509_ALGOR* algor = nullptr;
    ASN1_OCTET_STRING* value = nullptr;
    X509_SIG_getm(sig.get(), &algor, &value);
    // RFC 8017 9.2 note 1: the parameters of SHA-2 in DigestInfo are an explicit NULL.
    int nid = EVP_MD_get_type(hash_md(alg));
    if (X509_ALGOR_set0(algor, OBJ_nid2obj(nid), V_ASN1_NULL, nullptr) != 1 ||
        ASN1_OCTET_STRING_set(value, digest.data(), static_cast<int>(digest.size())) != 1)
        throw_openssl(ErrorCode::Crypto, "building DigestInfo failed");
    unsigned char* der = nullptr;
    int len = i2d_X509_SIG(sig.get(), &der);
    if (len <= 0) throw_openssl(ErrorCode::Crypto, "encoding DigestInfo failed");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

Bytes pkcs1_v15_block(HashAlgorithm alg, ByteView digest, std::size_t modulus_bytes) {
    Bytes info = digest_info(alg, digest);
    if (modulus_bytes < info.size() + 11)
        throw PkcsError(ErrorCode::InvalidArgument, "RSA modulus too short for a PKCS#1 v1.5 " +
                                                        std::string(hash_name(alg)) + " signature");
    Bytes block(modulus_bytes, 0xFF);
    block[0] = 0x00;
    block[1] = 0x01;
    std::size_t sep = modulus_bytes - info.size() - 1;
    block[sep] = 0x00;
    std::copy(info.begin(), info.end(), block.begin() + static_cast<std::ptrdiff_t>(sep) + 1);
    return block;
}

Bytes pss_block(HashAlgorithm alg, ByteView digest, EVP_PKEY* public_key) {
    check_digest_length(alg, digest);
    if (public_key == nullptr ||
        !(EVP_PKEY_is_a(public_key, "RSA") || EVP_PKEY_is_a(public_key, "RSA-PSS")))
        throw PkcsError(ErrorCode::InvalidArgument, "RSA-PSS needs an RSA key");
    // RFC 8017 9.1.1 with sLen = hLen and MGF1 over the same hash.
    const std::size_t mod_bits = static_cast<std::size_t>(EVP_PKEY_get_bits(public_key));
    const std::size_t mod_bytes = (mod_bits + 7) / 8;
    const std::size_t em_bits = mod_bits - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    const std::size_t h_len = hash_size(alg);
    const std::size_t s_len = h_len;
    if (em_len < h_len + s_len + 2)
        throw PkcsError(ErrorCode::InvalidArgument,
                        "RSA modulus too short for RSA-PSS with " + std::string(hash_name(alg)));
    Bytes salt(s_len);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        throw_openssl(ErrorCode::Crypto, "RAND_bytes failed");
    Bytes m_prime(8, 0);
    m_prime.insert(m_prime.end(), digest.begin(), digest.end());
    m_prime.insert(m_prime.end(), salt.begin(), salt.end());
    Bytes h = pkibridge::pkcs::digest(alg, m_prime);
    const std::size_t db_len = em_len - h_len - 1;
    Bytes db(db_len, 0);
    db[db_len - s_len - 1] = 0x01;
    std::copy(salt.begin(), salt.end(), db.end() - static_cast<std::ptrdiff_t>(s_len));
    Bytes mask = mgf1(alg, h, db_len);
    for (std::size_t i = 0; i < db_len; ++i) db[i] ^= mask[i];
    db[0] &= static_cast<std::uint8_t>(0xFF >> (8 * em_len - em_bits));
    Bytes em;
    em.reserve(mod_bytes);
    em.resize(mod_bytes - em_len, 0);  // a leading zero when emLen < modulus length
    em.insert(em.end(), db.begin(), db.end());
    em.insert(em.end(), h.begin(), h.end());
    em.push_back(0xBC);
    secure_zero(salt.data(), salt.size());
    return em;
}

Bytes ecdsa_raw_to_der(ByteView raw) {
    if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 2 * 66)
        throw PkcsError(ErrorCode::Malformed, "raw ECDSA signature must be r||s of equal halves");
    const int half = static_cast<int>(raw.size() / 2);
    OsslPtr<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
    BignumPtr r(BN_bin2bn(raw.data(), half, nullptr));
    BignumPtr s(BN_bin2bn(raw.data() + half, half, nullptr));
    if (!sig || !r || !s) throw_openssl(ErrorCode::Crypto, "ECDSA_SIG allocation failed");
    if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        throw_openssl(ErrorCode::Crypto, "ECDSA_SIG_set0 failed");
    r.release();
    s.release();
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) throw_openssl(ErrorCode::Crypto, "encoding ECDSA signature failed");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

Bytes ecdsa_der_to_raw(ByteView der, std::size_t field_bytes) {
    const unsigned char* p = der.data();
    OsslPtr<ECDSA_SIG, ECDSA_SIG_free> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig || p != der.data() + der.size()) {
        drain_openssl_errors();
        throw PkcsError(ErrorCode::Malformed, "not a DER ECDSA signature");
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    Bytes out(2 * field_bytes);
    if (BN_bn2binpad(r, out.data(), static_cast<int>(field_bytes)) < 0 ||
        BN_bn2binpad(s, out.data() + field_bytes, static_cast<int>(field_bytes)) < 0)
        throw PkcsError(ErrorCode::Malformed, "ECDSA signature value larger than the field");
    return out;
}

}  // namespace pkibridge::pkcs
