// `pkcs-tool vcard provision`: writes a new card directory, optionally loaded with the
// signing (slot 9C) and authentication (slot 9A) pair that `pkcs-tool ca issue --out`
// writes (sign.pem/sign.key, auth.pem/auth.key).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/card_state.hpp"

namespace pkibridge::vcard {

struct ProvisionOptions {
    std::filesystem::path dir;
    std::optional<std::filesystem::path> from;  // OUTDIR of `ca issue`
    std::string pin = "123456";
    std::string puk = "12345678";
    int pin_tries = 3;
    int puk_tries = 3;
    pkcs::Bytes guid;            // 16 bytes; random when empty
    pkcs::Bytes management_key;  // empty: the default 3DES key
    std::uint8_t management_algorithm = 0x03;
    bool force = false;  // replace an existing card in dir
};

// Throws VcardError (InvalidArgument for bad input files/options, CardDirectory when dir
// already holds a card and force is off).
void provision_card(const ProvisionOptions& options);

// The card serial number the native host reports: the CHUID GUID (tag 34) as 32
// uppercase hex digits; "" when the card has no CHUID.
std::string card_serial(const CardState& state);

}  // namespace pkibridge::vcard
