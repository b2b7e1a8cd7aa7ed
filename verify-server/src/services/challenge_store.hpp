// Login challenges: 32 random bytes (base64url), bound to the browser's pre-login session,
// single use, short-lived. Kept in memory: a challenge only has to live for minutes and
// only in the process that issued it (see docs/server-api.md for multi-instance setups).
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

struct IssuedChallenge {
    std::string nonce;
    TimePoint expires_at;
};

enum class ChallengeOutcome {
    Accepted,      // issued here, for this session, unexpired, unused: now consumed
    Unknown,       // never issued here (or forgotten long after expiry)
    Expired,       // issued, but its lifetime has passed (now consumed)
    Replayed,      // issued and already used
    WrongSession,  // issued for another browser session (left untouched)
};
std::string_view challenge_outcome_name(ChallengeOutcome outcome) noexcept;

class ChallengeStore {
public:
    ChallengeStore(const Clock& clock, std::chrono::seconds lifetime, std::size_t max_outstanding);

    // Throws ServiceError(Unavailable, "challenge-capacity") when max_outstanding live
    // challenges exist.
    IssuedChallenge issue(std::string_view session_binding);

    // Atomically checks and consumes. A nonce presented from another session is not
    // consumed, so a third party who saw it cannot burn the owner's login attempt.
    ChallengeOutcome consume(std::string_view nonce, std::string_view session_binding);

    std::size_t size() const;  // entries held, including used and recently expired ones
    std::chrono::seconds lifetime() const noexcept { return lifetime_; }

private:
    struct Entry {
        std::string binding_hash;
        TimePoint expires_at;
        bool used = false;
    };
    // Drops entries whose expiry is older than the retention (one more lifetime, at least
    // a minute); until then a late nonce is reported as Expired/Replayed, not Unknown.
    void purge_locked(TimePoint now);

    const Clock& clock_;
    std::chrono::seconds lifetime_;
    std::chrono::seconds retention_;
    std::size_t max_outstanding_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    // Nonces in issue order; with one lifetime for all, that is also expiry order.
    std::deque<std::pair<TimePoint, std::string>> order_;
};

}  // namespace pkibridge::server
