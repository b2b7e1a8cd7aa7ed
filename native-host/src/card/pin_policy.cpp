#include "card/pin_policy.hpp"

namespace pkibridge::host::card {

std::optional<std::string> pin_format_problem(const PinPolicy& policy, std::string_view pin) {
    const std::string range =
        std::to_string(policy.min_length) + " to " + std::to_string(policy.max_length);
    if (pin.size() < policy.min_length || pin.size() > policy.max_length)
        return "the PIN must be " + range + (policy.digits_only ? " digits" : " characters");
    for (char c : pin) {
        if (policy.digits_only && (c < '0' || c > '9'))
            return "the PIN must consist of digits only";
        if (!policy.digits_only && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F))
            return "the PIN contains a control character";
    }
    return std::nullopt;
}

}  // namespace pkibridge::host::card
