// One PKCS#11 session (C_OpenSession ... C_CloseSession), holding its module alive. If it was
// logged in, the destructor logs out first: the PIN must not stay verified after a request.
#pragma once

#include <memory>

#include "pkcs11/module.hpp"

namespace pkibridge::host::pkcs11 {

class Session {
public:
    // A read-only serial session on `slot`. Throws (see throw_rv): a token that went away
    // becomes ERR_CARD_REMOVED.
    Session(std::shared_ptr<Module> module, CK_SLOT_ID slot);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    CK_FUNCTION_LIST& api() const { return module_->api(); }
    CK_SESSION_HANDLE handle() const { return handle_; }
    CK_SLOT_ID slot() const { return slot_; }
    // Call after a C_Login that succeeded (or returned CKR_USER_ALREADY_LOGGED_IN).
    void logged_in() { logged_in_ = true; }

private:
    std::shared_ptr<Module> module_;
    CK_SLOT_ID slot_;
    CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
    bool logged_in_ = false;
};

}  // namespace pkibridge::host::pkcs11
