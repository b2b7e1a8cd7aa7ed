// Hash and signature helpers: names, DigestInfo, the PKCS#1 v1.5 and PSS blocks that
// raw-RSA cards sign (checked by letting OpenSSL verify a raw RSA operation over them),
// ECDSA signature forms, raw_sign / raw_verify.
#include <openssl/rsa.h>

#include <catch2/catch.hpp>

#include "cms_test_support.hpp"
#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"

using namespace pkibridge::pkcs;

namespace {

// What a raw-RSA card does: m^d mod n over a prepared block, no padding.
Bytes raw_rsa_private(EVP_PKEY* key, ByteView block) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    REQUIRE(EVP_PKEY_sign_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) == 1);
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_sign(ctx.get(), nullptr, &len, block.data(), block.size()) == 1);
    Bytes sig(len);
    REQUIRE(EVP_PKEY_sign(ctx.get(), sig.data(), &len, block.data(), block.size()) == 1);
    sig.resize(len);
    return sig;
}

const HashAlgorithm kHashes[] = {HashAlgorithm::Sha256, HashAlgorithm::Sha384,
                                 HashAlgorithm::Sha512};

}  // namespace

TEST_CASE("hash names parse in common spellings", "[algorithms]") {
    CHECK(parse_hash_name("sha256") == HashAlgorithm::Sha256);
    CHECK(parse_hash_name("SHA-384") == HashAlgorithm::Sha384);
    CHECK(parse_hash_name("SHA512") == HashAlgorithm::Sha512);
    CHECK_THROWS_AS(parse_hash_name("sha1"), PkcsError);
    CHECK_THROWS_AS(parse_hash_name(""), PkcsError);
    for (auto h : kHashes) {
        CHECK(parse_hash_name(hash_name(h)) == h);
        CHECK(digest(h, as_bytes("abc")).size() == hash_size(h));
        CHECK(static_cast<std::size_t>(EVP_MD_get_size(hash_md(h))) == hash_size(h));
        CHECK(hash_from_nid(EVP_MD_get_type(hash_md(h))) == h);
    }
    CHECK_FALSE(hash_from_nid(NID_sha1).has_value());
    CHECK(parse_scheme_name("rsa-pss") == SignatureScheme::RsaPss);
    CHECK(parse_scheme_name("pkcs1") == SignatureScheme::RsaPkcs1);
    CHECK(parse_scheme_name("ECDSA") == SignatureScheme::Ecdsa);
    CHECK_THROWS_AS(parse_scheme_name("dsa"), PkcsError);
}

TEST_CASE("SHA-256 of abc is the FIPS 180-2 test vector", "[algorithms]") {
    CHECK(hex_encode(digest(HashAlgorithm::Sha256, as_bytes("abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("DigestInfo has the RFC 8017 prefix", "[algorithms]") {
    Bytes d(32, 0xAB);
    Bytes info = digest_info(HashAlgorithm::Sha256, d);
    CHECK(hex_encode(ByteView(info).first(19)) == "3031300d060960864801650304020105000420");
    CHECK(info.size() == 19 + 32);
    CHECK(hex_encode(ByteView(digest_info(HashAlgorithm::Sha384, Bytes(48))).first(19)) ==
          "3041300d060960864801650304020205000430");
    CHECK(hex_encode(ByteView(digest_info(HashAlgorithm::Sha512, Bytes(64))).first(19)) ==
          "3051300d060960864801650304020305000440");
    CHECK_THROWS_AS(digest_info(HashAlgorithm::Sha256, Bytes(31)), PkcsError);
}

TEST_CASE("a raw-RSA signature over pkcs1_v15_block verifies as PKCS#1 v1.5", "[algorithms]") {
    EVP_PKEY* key = cmstest::cached_key("rsa2048");
    for (auto h : kHashes) {
        Bytes d = digest(h, as_bytes("document"));
        Bytes block = pkcs1_v15_block(h, d, 256);
        REQUIRE(block.size() == 256);
        CHECK(block[0] == 0x00);
        CHECK(block[1] == 0x01);
        Bytes sig = raw_rsa_private(key, block);
        CHECK(raw_verify(key, d, h, SignatureScheme::RsaPkcs1, sig));
        // And it is what OpenSSL itself produces (PKCS#1 v1.5 is deterministic).
        CHECK(sig == raw_sign(key, d, h, SignatureScheme::RsaPkcs1));
    }
    CHECK_THROWS_AS(pkcs1_v15_block(HashAlgorithm::Sha512, Bytes(64), 64), PkcsError);
}

TEST_CASE("a raw-RSA signature over pss_block verifies as RSA-PSS", "[algorithms]") {
    EVP_PKEY* key = cmstest::cached_key("rsa2048");
    for (auto h : kHashes) {
        Bytes d = digest(h, as_bytes("document"));
        Bytes block = pss_block(h, d, key);
        REQUIRE(block.size() == 256);
        CHECK(block.back() == 0xBC);
        Bytes sig = raw_rsa_private(key, block);
        CHECK(raw_verify(key, d, h, SignatureScheme::RsaPss, sig));
        CHECK_FALSE(raw_verify(key, digest(h, as_bytes("other")), h, SignatureScheme::RsaPss, sig));
        // Randomised salt: two encodings differ.
        CHECK(block != pss_block(h, d, key));
    }
    CHECK_THROWS_AS(pss_block(HashAlgorithm::Sha256, Bytes(32), cmstest::cached_key("ec256")),
                    PkcsError);
}

TEST_CASE("ECDSA signatures convert between raw and DER", "[algorithms]") {
    EVP_PKEY* key = cmstest::cached_key("ec256");
    Bytes d = digest(HashAlgorithm::Sha256, as_bytes("x"));
    Bytes der = raw_sign(key, d, HashAlgorithm::Sha256, SignatureScheme::Ecdsa);
    Bytes raw = ecdsa_der_to_raw(der, 32);
    CHECK(raw.size() == 64);
    CHECK(ecdsa_raw_to_der(raw) == der);
    CHECK(raw_verify(key, d, HashAlgorithm::Sha256, SignatureScheme::Ecdsa, der));
    CHECK(raw_verify(key, d, HashAlgorithm::Sha256, SignatureScheme::Ecdsa, raw));
    CHECK(ecdsa_signature_to_der(raw, key) == der);
    CHECK(ecdsa_signature_to_der(der, key) == der);
    CHECK_THROWS_AS(ecdsa_der_to_raw(Bytes{0x30, 0x03, 0x02}, 32), PkcsError);
    CHECK_THROWS_AS(ecdsa_raw_to_der(Bytes{1, 2, 3}), PkcsError);
    CHECK_THROWS_AS(ecdsa_signature_to_der(Bytes(63, 1), key), PkcsError);
    CHECK_FALSE(raw_verify(key, d, HashAlgorithm::Sha256, SignatureScheme::Ecdsa, Bytes(10, 0x30)));
}

TEST_CASE("raw_sign refuses wrong digest lengths and unfit schemes", "[algorithms]") {
    EVP_PKEY* rsa = cmstest::cached_key("rsa2048");
    EVP_PKEY* ec = cmstest::cached_key("ec256");
    CHECK(default_scheme(rsa) == SignatureScheme::RsaPkcs1);
    CHECK(default_scheme(ec) == SignatureScheme::Ecdsa);
    CHECK_THROWS_AS(raw_sign(rsa, Bytes(20), HashAlgorithm::Sha256, SignatureScheme::RsaPkcs1),
                    PkcsError);
    CHECK_THROWS_AS(raw_sign(ec, Bytes(32), HashAlgorithm::Sha256, SignatureScheme::RsaPkcs1),
                    PkcsError);
    CHECK_THROWS_AS(raw_sign(rsa, Bytes(32), HashAlgorithm::Sha256, SignatureScheme::Ecdsa),
                    PkcsError);
    Bytes d = digest(HashAlgorithm::Sha384, as_bytes("x"));
    Bytes sig = raw_sign(rsa, d, HashAlgorithm::Sha384, SignatureScheme::RsaPss);
    CHECK(raw_verify(rsa, d, HashAlgorithm::Sha384, SignatureScheme::RsaPss, sig));
    CHECK_FALSE(raw_verify(rsa, d, HashAlgorithm::Sha384, SignatureScheme::RsaPkcs1, sig));
    CHECK_FALSE(raw_verify(rsa, d, HashAlgorithm::Sha384, SignatureScheme::RsaPss, Bytes(256, 7)));
}
