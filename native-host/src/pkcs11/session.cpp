#include "pkcs11/session.hpp"

#include "core/log.hpp"
#include "pkcs11/ck_error.hpp"

namespace pkibridge::host::pkcs11 {

Session::Session(std::shared_ptr<Module> module, CK_SLOT_ID slot)
    : module_(std::move(module)), slot_(slot) {
    check_rv(api().C_OpenSession(slot_, CKF_SERIAL_SESSION, nullptr, nullptr, &handle_),
             "C_OpenSession");
}

Session::~Session() {
    if (logged_in_) {
        const CK_RV rv = api().C_Logout(handle_);
        if (rv != CKR_OK && rv != CKR_USER_NOT_LOGGED_IN) log::debug("C_Logout: " + rv_name(rv));
    }
    const CK_RV rv = api().C_CloseSession(handle_);
    if (rv != CKR_OK) log::debug("C_CloseSession: " + rv_name(rv));
}

}  // namespace pkibridge::host::pkcs11
