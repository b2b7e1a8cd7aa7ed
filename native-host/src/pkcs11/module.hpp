// One PKCS#11 module (a vendor library) loaded with dlopen: C_GetFunctionList, then
// C_Initialize with CKF_OS_LOCKING_OK (the host calls it from more than one thread). The
// destructor calls C_Finalize (when we initialised it) and unloads the library.
#pragma once

#include <memory>
#include <string>

#include "pkcs11/cryptoki.hpp"

namespace pkibridge::host::pkcs11 {

class Module {
public:
    // Throws Pkcs11Error with a message that says which step failed (dlopen, missing
    // C_GetFunctionList, C_Initialize's CK_RV).
    static std::shared_ptr<Module> load(const std::string& path);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    CK_FUNCTION_LIST& api() const { return *functions_; }
    const std::string& path() const { return path_; }
    // "<manufacturer> <library description> <version>" from C_GetInfo.
    const std::string& description() const { return description_; }

private:
    Module(std::string path, void* handle);

    std::string path_;
    void* handle_ = nullptr;  // from dlopen; dlclose in the destructor
    CK_FUNCTION_LIST* functions_ = nullptr;
    bool finalize_ = false;  // we initialised the library, so we finalise it
    std::string description_;
};

}  // namespace pkibridge::host::pkcs11
