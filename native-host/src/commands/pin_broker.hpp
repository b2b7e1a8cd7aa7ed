// Hands a PIN from the thread that reads the extension's messages to the request waiting
// for it. Holds at most one waiting request; a PIN is given only to the request that asked,
// is checked for format on arrival, and never outlives the request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "card/pin_policy.hpp"
#include "core/cancellation.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::commands {

class PinBroker {
public:
    enum class Delivery { Accepted, NotWaiting, BadFormat };

    // Worker side: registers `request_id` as waiting, calls `ask` (which sends the
    // pin-required event: only after registering, so an immediate answer is not lost), then
    // waits for the PIN. `poll` runs every `poll_interval` (e.g. to notice a pulled card)
    // and may throw. Throws CommandError(Cancelled) when `cancellation` is raised and
    // CommandError(Timeout) after `timeout`.
    pkcs::SecretString wait(const nlohmann::json& request_id, const card::PinPolicy& policy,
                            std::chrono::milliseconds timeout, const Cancellation& cancellation,
                            const std::function<void()>& poll,
                            std::chrono::milliseconds poll_interval,
                            const std::function<void()>& ask = nullptr);

    // Reader side: offers a PIN. BadFormat leaves the request waiting; `problem` says why.
    Delivery deliver(const nlohmann::json& request_id, pkcs::SecretString pin,
                     std::string& problem);

    // Wakes a waiting request so it sees a raised cancellation at once.
    void wake();

    bool waiting_for(const nlohmann::json& request_id) const;

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<nlohmann::json> waiting_id_;
    card::PinPolicy policy_;
    std::optional<pkcs::SecretString> pin_;
};

}  // namespace pkibridge::host::commands
