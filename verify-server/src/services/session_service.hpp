// Server-side sessions after a successful login. The browser holds a random 256-bit id in
// a cookie; the store holds only its SHA-256, so a leaked database cannot be replayed as
// cookies. Sessions end after an idle period (4 h by default) or an absolute lifetime.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

struct SessionPolicy {
    std::int64_t idle_timeout_seconds = 4 * 3600;
    std::int64_t absolute_timeout_seconds = 12 * 3600;
    // last_seen_at is written at most this often per session (saves a write per request).
    std::int64_t touch_interval_seconds = 60;
};

struct NewSession {
    std::string id;  // the cookie value: give it to the browser, never store or log it
    SessionRecord record;
};

class SessionService {
public:
    SessionService(AccountStore& store, const Clock& clock, SessionPolicy policy);

    // Creates the session and records the login in one store transaction.
    NewSession create_with_login(const LoginEvent& login);

    // The live session for a cookie value, or nullopt (unknown, idle or past its end;
    // expired ones are deleted).
    std::optional<SessionRecord> resolve(std::string_view id);
    void destroy(std::string_view id);
    std::size_t purge_expired();

    // When the session ends if the user stays idle from now (for the API's expiresAt).
    std::int64_t idle_deadline(const SessionRecord& s) const;
    const SessionPolicy& policy() const noexcept { return policy_; }

private:
    AccountStore& store_;
    const Clock& clock_;
    SessionPolicy policy_;
};

}  // namespace pkibridge::server
