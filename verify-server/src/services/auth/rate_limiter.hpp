// Sliding-window rate limits (password-based logins per client IP and per national ID):
// at most `limit` attempts in any `window_seconds`. In memory, bounded in keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace pkibridge::server {

class RateLimiter {
public:
    RateLimiter(const Clock& clock, int limit, std::int64_t window_seconds,
                std::size_t max_keys = 100000);

    // Counts an attempt for `key`; nullopt when allowed, else the seconds until the next
    // attempt would be (refused attempts are not counted).
    std::optional<std::int64_t> hit(std::string_view key);
    std::size_t keys() const;

private:
    void purge_locked(std::int64_t now);

    const Clock& clock_;
    int limit_;
    std::int64_t window_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::deque<std::int64_t>> hits_;
};

}  // namespace pkibridge::server
