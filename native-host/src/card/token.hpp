// The one interface every card driver implements. PIV over PC/SC is the first; a PKCS#11
// module driver maps onto the same calls (keys = certificate objects paired by CKA_ID,
// pin_status = token flags, session = C_OpenSession/C_Login/C_Sign/C_Logout).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "card/pin_policy.hpp"
#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"

namespace pkibridge::host::card {

// A certificate on the token and the reference of its private key.
struct TokenKey {
    std::string key_ref;  // driver-scoped, stable: PIV "9a"/"9c"/"9d"/"9e", PKCS#11 CKA_ID hex
    std::string label;    // human-readable slot name, e.g. "PIV Digital Signature (9C)"
    pkcs::Certificate certificate;
    bool authentication_key = false;  // the card's designated login key (PIV 9A)
};

struct PinStatus {
    std::optional<int> tries_left;  // nullopt when the card does not say
    bool blocked = false;
};

struct TokenDescription {
    std::string reader;     // where the token sits (reader or PKCS#11 slot description)
    std::string card_type;  // "PIV", later e.g. "PKCS#11:HiCOS"
    pkcs::Bytes atr;        // empty for non-PC/SC tokens
    bool pin_pad = false;   // the PIN is entered on the reader
};

// Exclusive use of a token for one private-key operation. Destruction logs out (the
// verified state must not outlive the request) and releases exclusive access.
class TokenSession {
public:
    virtual ~TokenSession() = default;
    // Verifies the PIN (pin == nullptr: on the reader's PIN pad). Checks the PIN format and
    // the remaining tries first and never sends a PIN to a blocked card. Throws
    // CardError(PinFormat / PinIncorrect with tries_left / PinBlocked / PinPad*).
    virtual void login(const pkcs::SecretString* pin) = 0;
    // Signs a digest with the key; RSA returns the signature, EC a DER ECDSA signature.
    virtual pkcs::Bytes sign_digest(const TokenKey& key, pkcs::ByteView digest,
                                    pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme) = 0;
};

class Token {
public:
    virtual ~Token() = default;
    virtual const TokenDescription& description() const = 0;
    virtual std::vector<TokenKey> keys() = 0;  // every certificate on the token
    virtual std::optional<TokenKey> key(std::string_view key_ref) = 0;
    // A serial number that identifies the card (HiPKI's "card serial"); nullopt if none.
    virtual std::optional<std::string> card_serial() = 0;
    virtual PinPolicy pin_policy() const = 0;
    virtual PinStatus pin_status() = 0;  // never consumes a try
    virtual void ensure_present() = 0;   // throws when the token went away
    virtual std::unique_ptr<TokenSession> open_session() = 0;
};

}  // namespace pkibridge::host::card
