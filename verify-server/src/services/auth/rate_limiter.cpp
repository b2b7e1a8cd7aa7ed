#include "services/auth/rate_limiter.hpp"

#include <algorithm>

namespace pkibridge::server {

RateLimiter::RateLimiter(const Clock& clock, int limit, std::int64_t window_seconds,
                         std::size_t max_keys)
    : clock_(clock), limit_(std::max(limit, 1)), window_(window_seconds), max_keys_(max_keys) {}

std::optional<std::int64_t> RateLimiter::hit(std::string_view key) {
    const std::int64_t now = clock_.now_unix();
    std::lock_guard lock(mutex_);
    auto it = hits_.find(std::string(key));
    if (it == hits_.end()) {
        if (hits_.size() >= max_keys_) purge_locked(now);
        // Still full: forget everything rather than grow without bound (a flood of keys
        // is itself answered by the per-IP limit).
        if (hits_.size() >= max_keys_) hits_.clear();
        it = hits_.emplace(std::string(key), std::deque<std::int64_t>{}).first;
    }
    auto& q = it->second;
    // Only attempts inside (now - window, now] count (the test clock may move back).
    std::erase_if(q, [&](std::int64_t t) { return t <= now - window_ || t > now; });
    if (static_cast<int>(q.size()) >= limit_)
        return std::max<std::int64_t>(1, q.front() + window_ - now);
    q.push_back(now);
    return std::nullopt;
}

std::size_t RateLimiter::keys() const {
    std::lock_guard lock(mutex_);
    return hits_.size();
}

void RateLimiter::purge_locked(std::int64_t now) {
    for (auto it = hits_.begin(); it != hits_.end();) {
        if (it->second.empty() || it->second.back() <= now - window_)
            it = hits_.erase(it);
        else
            ++it;
    }
}

}  // namespace pkibridge::server
