// Helpers shared by the files that implement PivCard (not part of the library's API).
#pragma once

#include <cstdint>
#include <vector>

#include "pkibridge/vcard/apdu.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_card.hpp"
#include "pkibridge/vcard/reference_data.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace pkibridge::vcard::detail {

using Reply = PivCard::Reply;

[[noreturn]] inline void fail(std::uint16_t status, const char* why = "") {
    throw StatusError(status, why);
}

inline Reply ok(Bytes data = {}) {
    return Reply{std::move(data), sw::kOk};
}
inline Reply status(std::uint16_t s) {
    return Reply{{}, s};
}

// 63Cx with the tries left, or 6983 when blocked.
inline std::uint16_t tries_status(const ReferenceData& ref) {
    return ref.blocked() ? sw::kAuthBlocked
                         : static_cast<std::uint16_t>(sw::kVerifyFailed | (ref.tries_left & 0x0F));
}

// The optional PIN policy (tag AA) of GENERATE / IMPORT; the touch policy (AB) is accepted
// and ignored since a virtual card has nothing to touch.
inline piv::PinPolicy policy_from(const std::vector<Tlv>& tlvs) {
    auto aa = find_tlv(tlvs, 0xAA);
    if (!aa) return piv::PinPolicy::Default;
    if (aa->size() != 1 || (*aa)[0] > 3) fail(sw::kWrongData, "bad PIN policy");
    return static_cast<piv::PinPolicy>((*aa)[0]);
}

}  // namespace pkibridge::vcard::detail
