// The card's cryptography, all through OpenSSL: key generation and import in the PIV
// algorithms, the private-key operations of GENERAL AUTHENTICATE, and the single-block
// ECB cipher of the management-key challenge/response (SP 800-73-4 part 2 appendix A).
// Functions that reject card input throw StatusError with the status word to return.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace pkibridge::vcard {

Bytes random_bytes(std::size_t n);

// RSA 1024/2048/3072 and EC P-256/P-384 keys; nullopt for anything else.
std::optional<std::uint8_t> algorithm_of_key(EVP_PKEY* key);
bool is_rsa_algorithm(std::uint8_t alg) noexcept;
bool is_ec_algorithm(std::uint8_t alg) noexcept;
std::size_t key_size_bytes(std::uint8_t alg) noexcept;  // modulus or field size; 0 if unknown

pkcs::EvpPkeyPtr generate_card_key(std::uint8_t alg);
// Yubico IMPORT ASYMMETRIC KEY fields: RSA 01 p, 02 q, 03 dp, 04 dq, 05 qinv (public
// exponent 65537); EC 06 private scalar.
pkcs::EvpPkeyPtr import_card_key(std::uint8_t alg, const std::vector<Tlv>& fields);
// 7F49 { 81 modulus, 82 exponent } or 7F49 { 86 uncompressed point }.
Bytes public_key_template(EVP_PKEY* key);

// RSA private-key operation on a block of exactly the modulus size (the client pads).
Bytes rsa_raw_private(EVP_PKEY* key, ByteView block);
// DER ECDSA-Sig-Value over a digest the client computed.
Bytes ecdsa_sign_digest(EVP_PKEY* key, ByteView digest);
// ECDH (cofactor) shared secret with an uncompressed peer point.
Bytes ecdh_shared_secret(EVP_PKEY* key, ByteView peer_point);

bool is_management_algorithm(std::uint8_t alg) noexcept;  // 03 3DES, 08/0A/0C AES
std::size_t management_key_length(std::uint8_t alg) noexcept;
std::size_t management_block_size(std::uint8_t alg) noexcept;
Bytes management_cipher(std::uint8_t alg, ByteView key, ByteView block, bool encrypt);

}  // namespace pkibridge::vcard
