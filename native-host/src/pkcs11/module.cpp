#include "pkcs11/module.hpp"

#include <dlfcn.h>

#include "core/log.hpp"
#include "pkcs11/ck_error.hpp"

namespace pkibridge::host::pkcs11 {

Module::Module(std::string path, void* handle) : path_(std::move(path)), handle_(handle) {}

Module::~Module() {
    if (finalize_ && functions_) {
        const CK_RV rv = functions_->C_Finalize(nullptr);
        if (rv != CKR_OK) log::debug("C_Finalize of " + path_ + ": " + rv_name(rv));
    }
    if (handle_) dlclose(handle_);
}

std::shared_ptr<Module> Module::load(const std::string& path) {
    // RTLD_LOCAL: two vendors' modules must not resolve each other's symbols.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        throw Pkcs11Error(CKR_GENERAL_ERROR,
                          "cannot load the module: " + std::string(why ? why : "dlopen failed"));
    }
    std::shared_ptr<Module> module(new Module(path, handle));

    using GetFunctionList = CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR);
    auto get_list = reinterpret_cast<GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
    if (!get_list)
        throw Pkcs11Error(CKR_GENERAL_ERROR,
                          "the library exports no C_GetFunctionList (not a PKCS#11 module)");
    CK_FUNCTION_LIST_PTR functions = nullptr;
    CK_RV rv = get_list(&functions);
    if (rv != CKR_OK || !functions)
        throw Pkcs11Error(rv, "C_GetFunctionList failed: " + rv_name(rv));
    if (functions->version.major != 2)
        throw Pkcs11Error(CKR_GENERAL_ERROR, "unsupported Cryptoki version " +
                                                 std::to_string(functions->version.major) + "." +
                                                 std::to_string(functions->version.minor));
    module->functions_ = functions;

    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    rv = functions->C_Initialize(&args);
    if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        // Someone else in this process owns it (never us: the registry loads each file once).
        log::warning("PKCS#11 module " + path + " was already initialised");
    } else if (rv != CKR_OK) {
        throw Pkcs11Error(rv, "C_Initialize failed: " + rv_name(rv));
    } else {
        module->finalize_ = true;
    }

    CK_INFO info{};
    if (functions->C_GetInfo(&info) == CKR_OK) {
        module->description_ = padded_text(info.manufacturerID);
        const std::string library = padded_text(info.libraryDescription);
        if (!library.empty())
            module->description_ += (module->description_.empty() ? "" : " ") + library;
        module->description_ += " " + std::to_string(info.libraryVersion.major) + "." +
                                std::to_string(info.libraryVersion.minor);
    }
    return module;
}

}  // namespace pkibridge::host::pkcs11
