// CAPTCHA challenges for the password-based login forms: a random answer from an
// unambiguous alphabet, its PNG picture, kept in memory (one process, minutes) until it
// is used once, right or wrong, or expires. The number held is bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace pkibridge::server {

struct IssuedCaptcha {
    std::string id;      // random, 22 base64url characters
    std::string answer;  // only for the test hook; never logged
    std::string png;     // the picture
    std::int64_t expires_at = 0;
};

enum class CaptchaOutcome { Accepted, Wrong, Expired, Unknown };

class CaptchaService {
public:
    CaptchaService(const Clock& clock, std::int64_t lifetime_seconds, std::size_t max_held = 20000,
                   std::size_t length = 5);

    IssuedCaptcha issue();
    // Removes the challenge whatever the outcome (single use). Case-insensitive; spaces
    // around the answer are ignored.
    CaptchaOutcome consume(std::string_view id, std::string_view answer);

    std::size_t size() const;
    std::int64_t lifetime_seconds() const noexcept { return lifetime_; }

private:
    struct Entry {
        std::string answer;
        std::int64_t expires_at;
    };
    void purge_locked(std::int64_t now);

    const Clock& clock_;
    std::int64_t lifetime_;
    std::size_t max_held_;
    std::size_t length_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::deque<std::pair<std::int64_t, std::string>> order_;  // (expiry, id), issue order
};

}  // namespace pkibridge::server
