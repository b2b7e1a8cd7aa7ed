// PKCS#11 return values (CK_RV) turned into the host's typed errors: the card-driver errors
// the PIN flow understands (CardError), ERR_CARD_REMOVED for a token that went away (the
// same PcscError the PIV driver raises), and Pkcs11Error for module and library failures.
#pragma once

#include <string>
#include <string_view>

#include "core/host_error.hpp"
#include "pkcs11/cryptoki.hpp"

namespace pkibridge::host::pkcs11 {

// A module could not be loaded or a call failed in a way no card error describes.
class Pkcs11Error : public HostError {
public:
    Pkcs11Error(CK_RV rv, const std::string& message) : HostError(message), rv_(rv) {}
    CK_RV rv() const noexcept { return rv_; }

private:
    CK_RV rv_;
};

// "CKR_PIN_INCORRECT (0xa0)".
std::string rv_name(CK_RV rv);

// The return values that mean the token (or its reader) is gone, or its sessions died with it.
bool token_gone(CK_RV rv) noexcept;

// Throws for rv (not CKR_OK): PcscError(CardRemoved) when the token is gone, CardError for PIN,
// key and mechanism problems, else CardError(OperationFailed). `what` names the call.
[[noreturn]] void throw_rv(CK_RV rv, std::string_view what);

inline void check_rv(CK_RV rv, std::string_view what) {
    if (rv != CKR_OK) throw_rv(rv, what);
}

}  // namespace pkibridge::host::pkcs11
