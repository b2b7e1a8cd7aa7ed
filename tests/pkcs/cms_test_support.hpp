// Test-only PKI builders for the CMS and path validation tests: certificates and CRLs with
// exactly the properties a test needs (expired intermediates, cross certificates, policies,
// delta CRLs), built with OpenSSL's X509 API, plus one shared TestCa hierarchy per run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/pkcs/path_validation.hpp"
#include "pkibridge/pkcs/test_ca.hpp"

namespace cmstest {

using namespace pkibridge::pkcs;

// Keys are cached per kind: generating RSA keys for every certificate would be slow.
EVP_PKEY* cached_key(const std::string& kind, int index = 0);  // "rsa2048", "ec256"

inline constexpr std::int64_t kDay = 86400;
std::int64_t now();

struct CertSpec {
    std::string cn;
    EVP_PKEY* key = nullptr;              // subject public key
    const Certificate* issuer = nullptr;  // nullptr: self-signed
    EVP_PKEY* issuer_key = nullptr;       // signs (own key when self-signed)
    std::int64_t not_before = 0;          // default now - 1 day
    std::int64_t not_after = 0;           // default now + 30 days
    bool ca = false;
    int path_len = -1;       // CA only; -1: absent
    std::string key_usage;   // OpenSSL config syntax; default by ca
    std::string eku;         // e.g. "clientAuth"; empty: none
    std::string policies;    // e.g. "1.2.3.4"; empty: none
    std::string crl_dp;      // URI; empty: none
    std::string extra_name;  // extra O= to make names differ
    long serial = 0;         // 0: random
};
Certificate make_cert(CertSpec spec);

struct RevokedSpec {
    const Certificate* cert;
    int reason = kReasonKeyCompromise;
    std::int64_t at = 0;  // default now - 1 hour
    // Indirect CRLs: the certificateIssuer entry extension (the cert's issuer) is written.
    bool with_certificate_issuer = false;
};

struct CrlSpec {
    const Certificate* issuer;
    EVP_PKEY* key;
    std::vector<RevokedSpec> revoked;
    std::int64_t this_update = 0;  // default now - 1 hour
    std::int64_t next_update = 0;  // default now + 7 days
    long number = 1;
    std::optional<long> delta_base;
    bool indirect = false;  // issuingDistributionPoint with indirectCRL (critical)
};
Crl make_crl(const CrlSpec& spec);

// A small hierarchy root -> intermediate -> leaf (EC keys, fast), built once per run.
struct MiniPki {
    Certificate root, intermediate, leaf;
    EVP_PKEY* root_key;
    EVP_PKEY* intermediate_key;
    EVP_PKEY* leaf_key;
};
const MiniPki& mini_pki();

// The project's TestCa (EC P-256 CA keys, fast to create) in a temporary directory, one per
// process, with a person pair issued with RSA-2048 and one with EC keys.
struct SharedCa {
    std::filesystem::path dir;
    TestCa* ca;
    IssuedPair* rsa_person;
    IssuedPair* ec_person;
    TrustStore trust() const;
};
const SharedCa& shared_ca();

// A byte-flipped copy: data with data[index] ^= mask.
Bytes flipped(ByteView data, std::size_t index, std::uint8_t mask = 0x01);
// Index of the first occurrence of needle in haystack (throws when absent).
std::size_t find_bytes(ByteView haystack, ByteView needle);

}  // namespace cmstest
