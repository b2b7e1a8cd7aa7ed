// Everything a virtual card remembers across restarts (kept in the card directory by
// CardStore): PIN, PUK, management key, keys per slot, data objects.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/reference_data.hpp"

namespace pkibridge::vcard {

// The default PIV management key 0102030405060708 three times (3DES).
Bytes default_management_key();

struct ManagementKey {
    std::uint8_t algorithm = piv::alg::kTdes;
    Bytes key;  // secret; wiped on destruction

    ManagementKey() = default;
    ManagementKey(std::uint8_t alg, Bytes k) : algorithm(alg), key(std::move(k)) {}
    ManagementKey(const ManagementKey&) = default;
    ManagementKey& operator=(const ManagementKey&) = default;
    ManagementKey(ManagementKey&&) noexcept = default;
    ManagementKey& operator=(ManagementKey&&) noexcept = default;
    ~ManagementKey() { pkcs::secure_zero(key.data(), key.size()); }
};

struct SlotKey {
    pkcs::EvpPkeyPtr key;
    std::uint8_t algorithm = 0;  // piv::alg::kRsa2048, kEccP256, ...
    piv::PinPolicy pin_policy = piv::PinPolicy::Default;
};

struct CardState {
    std::uint32_t serial = 0;  // what Yubico's GET SERIAL returns
    ReferenceData pin;
    ReferenceData puk;
    ManagementKey management_key;
    std::map<std::uint32_t, Bytes> objects;  // tag -> value (inside 53, or of 7E / 7F61)
    std::map<std::uint8_t, SlotKey> keys;    // slot -> key

    // The PIN policy in force for a slot (the key's own, else the slot's default).
    piv::PinPolicy effective_pin_policy(std::uint8_t slot) const;
};

// A card as `vcard provision` leaves it without keys: PIN/PUK set, default management
// key, CHUID/CCC/discovery/key history objects. guid: 16 bytes (random when empty).
struct BlankCardOptions {
    std::string pin = "123456";
    std::string puk = "12345678";
    int pin_tries = 3;
    int puk_tries = 3;
    Bytes guid;
    Bytes management_key;  // empty: the default key
    std::uint8_t management_algorithm = piv::alg::kTdes;
};
CardState make_blank_card(const BlankCardOptions& options);

}  // namespace pkibridge::vcard
