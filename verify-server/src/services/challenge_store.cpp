#include "services/challenge_store.hpp"

#include <algorithm>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace pkibridge::server {

namespace {
// A used or expired nonce is remembered at least this long, so that a late replay is
// reported as replayed/expired rather than unknown.
constexpr long kMinRetentionSeconds = 60;
}  // namespace

std::string_view challenge_outcome_name(ChallengeOutcome outcome) noexcept {
    switch (outcome) {
        case ChallengeOutcome::Accepted:
            return "accepted";
        case ChallengeOutcome::Unknown:
            return "unknown";
        case ChallengeOutcome::Expired:
            return "expired";
        case ChallengeOutcome::Replayed:
            return "replayed";
        case ChallengeOutcome::WrongSession:
            return "wrong-session";
    }
    return "unknown";
}

ChallengeStore::ChallengeStore(const Clock& clock, std::chrono::seconds lifetime,
                               std::size_t max_outstanding)
    : clock_(clock),
      lifetime_(lifetime),
      retention_(std::max(lifetime, std::chrono::seconds(kMinRetentionSeconds))),
      max_outstanding_(max_outstanding) {}

IssuedChallenge ChallengeStore::issue(std::string_view session_binding) {
    std::string nonce = random_token(32);
    std::string binding = sha256_hex(session_binding);
    const TimePoint now = clock_.now();
    const TimePoint expires = now + lifetime_;
    std::lock_guard lock(mutex_);
    purge_locked(now);
    // Entries kept for late reporting count too: they are bounded by two lifetimes of
    // issuing, which is what max_outstanding limits.
    if (entries_.size() >= max_outstanding_) {
        throw ServiceError(ErrorKind::Unavailable, "challenge-capacity",
                           "too many outstanding challenges; try again shortly");
    }
    entries_.emplace(nonce, Entry{std::move(binding), expires, false});
    order_.emplace_back(expires, nonce);
    return {std::move(nonce), expires};
}

ChallengeOutcome ChallengeStore::consume(std::string_view nonce, std::string_view session_binding) {
    std::string binding = sha256_hex(session_binding);
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    purge_locked(now);
    auto it = entries_.find(std::string(nonce));
    if (it == entries_.end()) return ChallengeOutcome::Unknown;
    Entry& e = it->second;
    if (e.binding_hash != binding) return ChallengeOutcome::WrongSession;
    if (e.used) return ChallengeOutcome::Replayed;
    e.used = true;
    if (now >= e.expires_at) return ChallengeOutcome::Expired;
    return ChallengeOutcome::Accepted;
}

std::size_t ChallengeStore::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void ChallengeStore::purge_locked(TimePoint now) {
    while (!order_.empty() && order_.front().first + retention_ <= now) {
        entries_.erase(order_.front().second);
        order_.pop_front();
    }
}

}  // namespace pkibridge::server
