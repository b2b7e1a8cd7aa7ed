#include "pkcs11/slot_summary.hpp"

#include <map>
#include <mutex>

#include "pkcs11/ck_error.hpp"

namespace pkibridge::host::pkcs11 {

std::vector<SlotSummary> slot_summaries(Module& module) {
    CK_ULONG count = 0;
    check_rv(module.api().C_GetSlotList(CK_FALSE, nullptr, &count), "C_GetSlotList");
    std::vector<CK_SLOT_ID> slots(count);
    if (count)
        check_rv(module.api().C_GetSlotList(CK_FALSE, slots.data(), &count), "C_GetSlotList");
    slots.resize(count);
    std::vector<SlotSummary> out;
    for (CK_SLOT_ID slot : slots) {
        CK_SLOT_INFO info{};
        if (module.api().C_GetSlotInfo(slot, &info) != CKR_OK) continue;
        SlotSummary s;
        s.slot = slot;
        s.description = padded_text(info.slotDescription);
        CK_TOKEN_INFO token{};
        if ((info.flags & CKF_TOKEN_PRESENT) &&
            module.api().C_GetTokenInfo(slot, &token) == CKR_OK &&
            (token.flags & CKF_TOKEN_INITIALIZED)) {
            s.token_present = true;
            s.token_label = padded_text(token.label);
            const std::string model = padded_text(token.model);
            s.token_model = padded_text(token.manufacturerID) + (model.empty() ? "" : "/" + model);
            s.pin_pad = (token.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<SlotSummary> recent_slot_summaries(Module& module, std::chrono::milliseconds max_age) {
    struct Entry {
        std::chrono::steady_clock::time_point at;
        std::vector<SlotSummary> slots;
    };
    static std::mutex mutex;
    static std::map<const Module*, Entry> cache;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex);
        auto it = cache.find(&module);
        if (it != cache.end() && now - it->second.at < max_age) return it->second.slots;
    }
    std::vector<SlotSummary> slots = slot_summaries(module);
    std::lock_guard lock(mutex);
    cache[&module] = Entry{now, slots};
    return slots;
}

}  // namespace pkibridge::host::pkcs11
