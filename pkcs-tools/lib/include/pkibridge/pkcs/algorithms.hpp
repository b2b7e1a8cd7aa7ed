// Hash and signature algorithm names shared by signing, verification and the card drivers.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string_view>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs {

enum class HashAlgorithm { Sha256, Sha384, Sha512 };
enum class SignatureScheme { RsaPkcs1, RsaPss, Ecdsa };

std::string_view hash_name(HashAlgorithm alg) noexcept;  // "sha256", "sha384", "sha512"
// Accepts "sha256", "SHA256", "SHA-256" (and the others); throws PkcsError(InvalidArgument).
HashAlgorithm parse_hash_name(std::string_view name);
const EVP_MD* hash_md(HashAlgorithm alg) noexcept;
std::size_t hash_size(HashAlgorithm alg) noexcept;
Bytes digest(HashAlgorithm alg, ByteView data);

std::string_view scheme_name(SignatureScheme scheme) noexcept;  // "rsa-pkcs1", "rsa-pss", "ecdsa"

// Additions (stable): mapping OpenSSL digests back, and scheme names from options.
// The hash for an OpenSSL digest NID (NID_sha256, ...); nullopt for any other digest.
std::optional<HashAlgorithm> hash_from_nid(int nid) noexcept;
// Accepts "rsa-pkcs1", "pkcs1", "rsa-pss", "pss", "ecdsa"; throws PkcsError(InvalidArgument).
SignatureScheme parse_scheme_name(std::string_view name);

// DER DigestInfo (RFC 8017 section 9.2) for a digest: what RSA PKCS#1 v1.5 signs.
Bytes digest_info(HashAlgorithm alg, ByteView digest);
// EMSA-PKCS1-v1_5 block of modulus_bytes length (00 01 FF.. 00 DigestInfo): what a card
// that only does raw RSA (PIV) must be sent.
Bytes pkcs1_v15_block(HashAlgorithm alg, ByteView digest, std::size_t modulus_bytes);
// EMSA-PSS encoding with MGF1(same hash) and salt length = hash length, for raw-RSA cards.
Bytes pss_block(HashAlgorithm alg, ByteView digest, EVP_PKEY* public_key);
// ECDSA signature forms: raw r||s (PKCS#11, some cards) <-> DER Ecdsa-Sig-Value (CMS, X.509).
Bytes ecdsa_raw_to_der(ByteView raw);
Bytes ecdsa_der_to_raw(ByteView der, std::size_t field_bytes);

}  // namespace pkibridge::pkcs
