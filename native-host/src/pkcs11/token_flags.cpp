#include "pkcs11/token_flags.hpp"

#include <algorithm>

namespace pkibridge::host::pkcs11 {

card::PinStatus pin_status_from_flags(CK_FLAGS flags) noexcept {
    card::PinStatus status;
    if (flags & CKF_USER_PIN_LOCKED) {
        status.blocked = true;
        status.tries_left = 0;
    } else if (flags & CKF_USER_PIN_FINAL_TRY) {
        status.tries_left = 1;
    }
    return status;
}

card::PinPolicy pin_policy_from_info(const CK_TOKEN_INFO& info) noexcept {
    constexpr CK_ULONG kLongest = 64;
    card::PinPolicy policy;
    const bool min_known = info.ulMinPinLen != CK_UNAVAILABLE_INFORMATION && info.ulMinPinLen > 0;
    const bool max_known = info.ulMaxPinLen != CK_UNAVAILABLE_INFORMATION && info.ulMaxPinLen > 0;
    policy.min_length = min_known ? std::min(info.ulMinPinLen, kLongest) : 1;
    policy.max_length = max_known ? std::min(info.ulMaxPinLen, kLongest) : kLongest;
    policy.max_length = std::max(policy.max_length, policy.min_length);
    policy.digits_only = false;
    return policy;
}

}  // namespace pkibridge::host::pkcs11
