// What a token's CK_TOKEN_INFO says about its PIN: the tries-left hint from the
// CKF_USER_PIN_* flags and the PIN length bounds.
#pragma once

#include "card/pin_policy.hpp"
#include "card/token.hpp"
#include "pkcs11/cryptoki.hpp"

namespace pkibridge::host::pkcs11 {

// LOCKED -> blocked (0 left); FINAL_TRY -> 1 left; otherwise the count is unknown (COUNT_LOW
// only says that a wrong PIN was entered since the last good one).
card::PinStatus pin_status_from_flags(CK_FLAGS flags) noexcept;

// The token's PIN length bounds (clamped to 1..64, since modules report 0 or ~0 for
// "unknown"); PKCS#11 says nothing about the alphabet, so any character is allowed.
card::PinPolicy pin_policy_from_info(const CK_TOKEN_INFO& info) noexcept;

}  // namespace pkibridge::host::pkcs11
