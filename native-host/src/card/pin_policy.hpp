// What a card accepts as a PIN, so it can be checked before it is sent (a malformed PIN
// must not cost a try) and shown to the user.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pkibridge::host::card {

struct PinPolicy {
    std::size_t min_length = 6;
    std::size_t max_length = 8;
    bool digits_only = true;
};

// nullopt when `pin` fits the policy, else a message that names the rule (never the PIN).
std::optional<std::string> pin_format_problem(const PinPolicy& policy, std::string_view pin);

}  // namespace pkibridge::host::card
