// Password-based credentials of portal accounts, kept in the account database (migration
// 4): the current and previous Argon2id password hashes, failed attempts and the lockout,
// one-day passwords (hashed check codes per portal day) and versioned TOTP secrets.
// Shares SqliteAccountStore's connection pool and write turn. Never sees plaintext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

struct PasswordRecord {
    std::optional<std::string> hash;
    std::optional<std::string> previous_hash;
    bool must_change = false;
    int failed_attempts = 0;
    std::optional<std::int64_t> locked_until;
    std::optional<std::string> initial_day;  // set while the initial password is current
};

struct FailureOutcome {
    int attempts = 0;                          // consecutive failures, this one included
    std::optional<std::int64_t> locked_until;  // set when this failure locked the account
};

struct OneDayPasswordRecord {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    std::string day;
    std::string code_hash;
    std::string reason;
    std::string enabled_by;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> used_at;
};

struct TotpRecord {
    int version = 0;
    std::string secret_base32;  // RFC 4648 base32 of the raw secret
    std::int64_t created_at = 0;
    std::optional<std::int64_t> last_used_step;
};

class CredentialStore {
public:
    explicit CredentialStore(SqliteAccountStore& accounts) : accounts_(accounts) {}

    std::optional<PasswordRecord> password_of(std::int64_t account_id);

    // The initial password: current hash replaced (a user-chosen current password becomes
    // the previous one), usable on `day`, must change, failures and lockout cleared.
    void set_initial_password(std::int64_t account_id, const std::string& hash,
                              std::string_view day, std::int64_t now);
    // A password the user chose: previous <- current, current <- hash, must-change and
    // failures cleared. The initial-password day stays: a pending account may sign in
    // again with its new password on that day to finish activation.
    void set_password(std::int64_t account_id, const std::string& hash, std::int64_t now);
    void set_must_change(std::int64_t account_id, bool must_change, std::int64_t now);

    // Counts one wrong password atomically. A lockout that has run out starts a fresh
    // count. The `limit`-th consecutive failure sets locked_until = lock_until.
    FailureOutcome record_failure(std::int64_t account_id, int limit, std::int64_t lock_until,
                                  std::int64_t now);
    void reset_failures(std::int64_t account_id);
    void clear_lockout(std::int64_t account_id, std::int64_t now);

    void add_one_day_password(std::int64_t account_id, std::string_view day,
                              const std::string& code_hash, std::string_view reason,
                              std::string_view enabled_by, std::int64_t now);
    // The newest one-day password enabled for that day, if any.
    std::optional<OneDayPasswordRecord> one_day_password(std::int64_t account_id,
                                                         std::string_view day);
    // The newest one-day password of any day (to tell "expired" from "not enabled").
    std::optional<OneDayPasswordRecord> latest_one_day_password(std::int64_t account_id);
    // Marks the first use; true when this call was the first.
    bool mark_one_day_password_used(std::int64_t id, std::int64_t now);

    // Pending -> active after the certificate registration (activated_at = now).
    void activate(std::int64_t account_id, std::int64_t now);

    std::optional<TotpRecord> totp_of(std::int64_t account_id);
    // Replaces the secret; the new version is the old one + 1 (1 for the first).
    TotpRecord replace_totp(std::int64_t account_id, const std::string& secret_base32,
                            std::int64_t now);
    // Records the use of a time step for that secret version: false when the version is no
    // longer current or the step (or a later one) was used already (replay).
    bool use_totp_step(std::int64_t account_id, int version, std::int64_t step);

private:
    SqliteAccountStore& accounts_;
};

}  // namespace pkibridge::server
