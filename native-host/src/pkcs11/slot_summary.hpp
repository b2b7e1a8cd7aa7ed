// What `status` shows about a loaded module's slots, without opening sessions.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pkcs11/module.hpp"

namespace pkibridge::host::pkcs11 {

struct SlotSummary {
    CK_SLOT_ID slot = 0;
    std::string description;  // the slot (for OpenSC: the reader) name
    bool token_present = false;
    std::string token_label;
    std::string token_model;  // "<manufacturer>/<model>"
    bool pin_pad = false;     // CKF_PROTECTED_AUTHENTICATION_PATH
};

// Throws (see throw_rv) when the module fails.
std::vector<SlotSummary> slot_summaries(Module& module);

// The same, remembered per module for `max_age`: C_GetSlotList makes OpenSC look for readers
// and cards (~10 ms), too slow for every `status`. Thread-safe.
std::vector<SlotSummary> recent_slot_summaries(Module& module, std::chrono::milliseconds max_age);

}  // namespace pkibridge::host::pkcs11
