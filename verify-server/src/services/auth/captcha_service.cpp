#include "services/auth/captcha_service.hpp"

#include <sodium.h>

#include <cctype>

#include "core/random.hpp"
#include "services/auth/captcha_image.hpp"

namespace pkibridge::server {

CaptchaService::CaptchaService(const Clock& clock, std::int64_t lifetime_seconds,
                               std::size_t max_held, std::size_t length)
    : clock_(clock), lifetime_(lifetime_seconds), max_held_(max_held), length_(length) {}

IssuedCaptcha CaptchaService::issue() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium unusable");
    IssuedCaptcha c;
    for (std::size_t i = 0; i < length_; ++i) {
        c.answer.push_back(
            kCaptchaAlphabet[randombytes_uniform(static_cast<uint32_t>(kCaptchaAlphabet.size()))]);
    }
    c.png = encode_png(render_captcha(c.answer));  // outside the lock: the slow part
    c.id = random_token(16);
    const std::int64_t now = clock_.now_unix();
    c.expires_at = now + lifetime_;
    std::lock_guard lock(mutex_);
    purge_locked(now);
    // Still full of live entries (a flood): the oldest challenge gives way.
    while (entries_.size() >= max_held_ && !order_.empty()) {
        entries_.erase(order_.front().second);
        order_.pop_front();
    }
    entries_[c.id] = Entry{c.answer, c.expires_at};
    order_.emplace_back(c.expires_at, c.id);
    return c;
}

CaptchaOutcome CaptchaService::consume(std::string_view id, std::string_view answer) {
    std::string given;
    for (char ch : answer) {
        if (std::isspace(static_cast<unsigned char>(ch))) continue;
        given.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    }
    const std::int64_t now = clock_.now_unix();
    Entry entry;
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(std::string(id));
        if (it == entries_.end()) return CaptchaOutcome::Unknown;
        entry = std::move(it->second);
        entries_.erase(it);  // the deque entry is dropped lazily by purge_locked
    }
    if (entry.expires_at <= now) return CaptchaOutcome::Expired;
    return constant_time_equals(given, entry.answer) ? CaptchaOutcome::Accepted
                                                     : CaptchaOutcome::Wrong;
}

std::size_t CaptchaService::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void CaptchaService::purge_locked(std::int64_t now) {
    while (!order_.empty() &&
           (order_.front().first <= now || !entries_.count(order_.front().second))) {
        entries_.erase(order_.front().second);
        order_.pop_front();
    }
}

}  // namespace pkibridge::server
