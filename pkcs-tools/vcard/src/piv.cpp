#include "pkibridge/vcard/piv.hpp"

namespace pkibridge::vcard::piv {

std::string_view pin_policy_name(PinPolicy policy) noexcept {
    switch (policy) {
        case PinPolicy::Never:
            return "never";
        case PinPolicy::Once:
            return "once";
        case PinPolicy::Always:
            return "always";
        case PinPolicy::Default:
            break;
    }
    return "default";
}

std::optional<PinPolicy> parse_pin_policy(std::string_view name) noexcept {
    if (name == "never") return PinPolicy::Never;
    if (name == "once") return PinPolicy::Once;
    if (name == "always") return PinPolicy::Always;
    if (name == "default") return PinPolicy::Default;
    return std::nullopt;
}

bool is_key_slot(std::uint8_t slot) noexcept {
    return certificate_tag_for_slot(slot).has_value();
}

std::optional<std::uint32_t> certificate_tag_for_slot(std::uint8_t slot) noexcept {
    switch (slot) {
        case kSlotAuthentication:
            return tag::kCertAuthentication;
        case kSlotSignature:
            return tag::kCertSignature;
        case kSlotKeyManagement:
            return tag::kCertKeyManagement;
        case kSlotCardAuthentication:
            return tag::kCertCardAuthentication;
        default:
            break;
    }
    if (slot >= kFirstRetiredSlot && slot <= kLastRetiredSlot)
        return tag::kFirstRetiredCert + (slot - kFirstRetiredSlot);
    return std::nullopt;
}

PinPolicy default_pin_policy(std::uint8_t slot) noexcept {
    if (slot == kSlotSignature) return PinPolicy::Always;
    if (slot == kSlotCardAuthentication) return PinPolicy::Never;
    return PinPolicy::Once;
}

bool object_requires_pin(std::uint32_t t) noexcept {
    return t == tag::kFingerprints || t == tag::kFacialImage || t == tag::kPrintedInformation ||
           t == tag::kIris;
}

bool object_is_writable(std::uint32_t t) noexcept {
    return (t >= 0x5FC101 && t <= 0x5FC123) || (t >= 0x5FFF00 && t <= 0x5FFF15) ||
           t == tag::kDiscovery || t == tag::kBiometricGroupTemplate;
}

}  // namespace pkibridge::vcard::piv
