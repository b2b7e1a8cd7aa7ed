#include "pkcs11/pkcs11_tokens.hpp"

#include "core/log.hpp"
#include "pkcs11/ck_error.hpp"
#include "pkcs11/module_registry.hpp"
#include "pkcs11/pkcs11_token.hpp"

namespace pkibridge::host::pkcs11 {
namespace {

// C_GetSlotList twice (count, then list); the count call also makes OpenSC look for new
// readers.
std::vector<CK_SLOT_ID> slot_list(Module& module, bool with_token) {
    CK_ULONG count = 0;
    check_rv(module.api().C_GetSlotList(with_token ? CK_TRUE : CK_FALSE, nullptr, &count),
             "C_GetSlotList");
    std::vector<CK_SLOT_ID> slots(count);
    if (count)
        check_rv(module.api().C_GetSlotList(with_token ? CK_TRUE : CK_FALSE, slots.data(), &count),
                 "C_GetSlotList");
    slots.resize(count);
    return slots;
}

}  // namespace

Pkcs11Tokens open_pkcs11_tokens() {
    Pkcs11Tokens out;
    for (const auto& module : ModuleRegistry::instance().modules()) {
        try {
            out.slots += slot_list(*module, false).size();
            for (CK_SLOT_ID slot : slot_list(*module, true)) {
                try {
                    if (auto token = Pkcs11Token::open(module, slot))
                        out.tokens.push_back(std::move(token));
                } catch (const HostError& e) {  // e.g. pulled while we looked
                    log::info("PKCS#11 slot " + std::to_string(slot) + " of " + module->path() +
                              " skipped: " + e.what());
                }
            }
        } catch (const HostError& e) {
            log::warning("PKCS#11 module " + module->path() + ": " + e.what());
        }
    }
    return out;
}

}  // namespace pkibridge::host::pkcs11
