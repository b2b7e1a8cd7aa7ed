// Certificates on a PKCS#11 token paired with their private keys by CKA_ID. A certificate
// is a usable key when a private key with its CKA_ID is visible, or when the token hides all
// private keys until login (CKA_PRIVATE keys, e.g. SoftHSM2). CA certificates (trust anchors
// some tokens carry) are never keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "card/token.hpp"
#include "pkcs11/session.hpp"

namespace pkibridge::host::pkcs11 {

std::vector<card::TokenKey> paired_keys(Session& session, bool login_required);

// The key with CKA_ID == hex_decode(key_ref); nullopt when absent or key_ref is not hex.
std::optional<card::TokenKey> paired_key(Session& session, bool login_required,
                                         const std::string& key_ref);

// The private key object with this CKA_ID (after login it is visible on every token).
std::optional<CK_OBJECT_HANDLE> private_key_handle(Session& session, const pkcs::Bytes& id);

}  // namespace pkibridge::host::pkcs11
