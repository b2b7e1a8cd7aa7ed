// Test-side helpers that talk to a PivCard in-process the way a PC/SC client would:
// short APDUs, command chaining for long data, GET RESPONSE for 61xx.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/vcard/card_state.hpp"
#include "pkibridge/vcard/piv_card.hpp"

namespace vcard_test {

using pkibridge::pkcs::Bytes;
using pkibridge::pkcs::ByteView;

struct Response {
    Bytes data;
    std::uint16_t sw = 0;
};

Bytes apdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data = {},
           int le = -1);
// One APDU, no automatic GET RESPONSE.
Response raw(pkibridge::vcard::PivCard& card, ByteView command);
// Chains data over 255 bytes, follows 61xx with GET RESPONSE (Le 00).
Response transmit(pkibridge::vcard::PivCard& card, std::uint8_t ins, std::uint8_t p1,
                  std::uint8_t p2, ByteView data = {}, bool with_le = true);

Response select_piv(pkibridge::vcard::PivCard& card);
Response verify_pin(pkibridge::vcard::PivCard& card, const std::string& pin);
Bytes pin_block(const std::string& pin);
// Mutual authentication with a management key (3DES or AES by its length and alg).
Response authenticate_management(pkibridge::vcard::PivCard& card, ByteView key,
                                 std::uint8_t alg = 0x03);
Response get_data(pkibridge::vcard::PivCard& card, std::uint32_t tag);

// Keys made once per test process (RSA key generation is slow under sanitizers).
EVP_PKEY* shared_rsa_key();
EVP_PKEY* shared_ec_key();
EVP_PKEY* shared_ec384_key();
pkibridge::pkcs::EvpPkeyPtr ref(EVP_PKEY* key);  // a new reference to a shared key

// Blank card (PIN 123456, PUK 12345678, default management key) with an RSA-2048 key in
// 9A and an EC P-256 key in 9C.
pkibridge::vcard::CardState test_card();

std::uint16_t sw_of(const Bytes& response);

}  // namespace vcard_test
