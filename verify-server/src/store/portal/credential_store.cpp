#include "store/portal/credential_store.hpp"

namespace pkibridge::server {

using sqlite::Statement;
using WriteTransaction = SqliteAccountStore::WriteTransaction;

namespace {

OneDayPasswordRecord read_one_day(const Statement& s) {
    OneDayPasswordRecord r;
    r.id = s.int64(0);
    r.account_id = s.int64(1);
    r.day = s.text(2);
    r.code_hash = s.text(3);
    r.reason = s.text(4);
    r.enabled_by = s.text(5);
    r.created_at = s.int64(6);
    r.used_at = s.optional_int64(7);
    return r;
}

#define ONE_DAY_SELECT                                                                     \
    "SELECT id, account_id, day, code_hash, reason, enabled_by, created_at, used_at FROM " \
    "one_day_passwords "

StoreError no_such_account(std::int64_t account_id) {
    return StoreError(StoreError::Kind::NotFound,
                      "account " + std::to_string(account_id) + " does not exist");
}

// One UPDATE of the account: ?1 is its id, ?2... the values. NotFound when it does not
// exist.
template <class... Values>
void update_account(SqliteAccountStore& accounts, const char* sql, std::int64_t account_id,
                    const Values&... values) {
    if (accounts.write(sql, account_id, values...) == 0) throw no_such_account(account_id);
}

}  // namespace

std::optional<PasswordRecord> CredentialStore::password_of(std::int64_t account_id) {
    auto db = accounts_.pool().acquire();
    auto s = db->cached(
        "SELECT password_hash, previous_password_hash, password_must_change, "
        "failed_password_attempts, locked_until, initial_password_day FROM accounts "
        "WHERE id = ?1");
    s->bind(1, account_id);
    if (!s->step()) return std::nullopt;
    PasswordRecord r;
    r.hash = s->optional_text(0);
    r.previous_hash = s->optional_text(1);
    r.must_change = s->int64(2) != 0;
    r.failed_attempts = static_cast<int>(s->int64(3));
    r.locked_until = s->optional_int64(4);
    r.initial_day = s->optional_text(5);
    return r;
}

void CredentialStore::set_initial_password(std::int64_t account_id, const std::string& hash,
                                           std::string_view day, std::int64_t now) {
    update_account(
        accounts_,
        "UPDATE accounts SET "
        "previous_password_hash = CASE WHEN password_hash IS NOT NULL AND "
        "password_must_change = 0 THEN password_hash ELSE previous_password_hash END, "
        "password_hash = ?2, password_set_at = ?4, password_valid_until = NULL, "
        "initial_password_day = ?3, password_must_change = 1, "
        "failed_password_attempts = 0, locked_until = NULL, updated_at = ?4 WHERE id = ?1",
        account_id, hash, day, now);
}

void CredentialStore::set_password(std::int64_t account_id, const std::string& hash,
                                   std::int64_t now) {
    update_account(
        accounts_,
        "UPDATE accounts SET previous_password_hash = password_hash, password_hash = ?2, "
        "password_set_at = ?3, password_valid_until = NULL, "
        "password_must_change = 0, failed_password_attempts = 0, updated_at = ?3 "
        "WHERE id = ?1",
        account_id, hash, now);
}

void CredentialStore::set_must_change(std::int64_t account_id, bool must_change, std::int64_t now) {
    update_account(accounts_,
                   "UPDATE accounts SET password_must_change = ?2, updated_at = ?3 WHERE id = ?1",
                   account_id, must_change ? 1 : 0, now);
}

FailureOutcome CredentialStore::record_failure(std::int64_t account_id, int limit,
                                               std::int64_t lock_until, std::int64_t now) {
    WriteTransaction db(accounts_);
    int attempts = 0;
    {
        auto s =
            db->cached("SELECT failed_password_attempts, locked_until FROM accounts WHERE id = ?1");
        s->bind(1, account_id);
        if (!s->step()) throw no_such_account(account_id);
        attempts = static_cast<int>(s->int64(0));
        auto locked = s->optional_int64(1);
        if (locked && *locked <= now) attempts = 0;  // the lockout ran out: count afresh
    }
    ++attempts;
    FailureOutcome out{attempts, std::nullopt};
    if (attempts >= limit) out.locked_until = lock_until;
    db->cached(
          "UPDATE accounts SET failed_password_attempts = ?2, locked_until = ?3, "
          "updated_at = ?4 WHERE id = ?1")
        ->bind_all(account_id, attempts, out.locked_until, now)
        .run();
    db.commit();
    return out;
}

void CredentialStore::reset_failures(std::int64_t account_id) {
    accounts_.write(
        "UPDATE accounts SET failed_password_attempts = 0, locked_until = NULL "
        "WHERE id = ?1 AND (failed_password_attempts <> 0 OR locked_until IS NOT NULL)",
        account_id);
}

void CredentialStore::clear_lockout(std::int64_t account_id, std::int64_t now) {
    update_account(accounts_,
                   "UPDATE accounts SET failed_password_attempts = 0, locked_until = NULL, "
                   "updated_at = ?2 WHERE id = ?1",
                   account_id, now);
}

void CredentialStore::add_one_day_password(std::int64_t account_id, std::string_view day,
                                           const std::string& code_hash, std::string_view reason,
                                           std::string_view enabled_by, std::int64_t now) {
    accounts_.write(
        "INSERT INTO one_day_passwords(account_id, day, code_hash, reason, enabled_by, "
        "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        account_id, day, code_hash, reason, enabled_by, now);
}

std::optional<OneDayPasswordRecord> CredentialStore::one_day_password(std::int64_t account_id,
                                                                      std::string_view day) {
    auto db = accounts_.pool().acquire();
    auto s = db->cached(ONE_DAY_SELECT
                        "WHERE account_id = ?1 AND day = ?2 ORDER BY id DESC "
                        "LIMIT 1");
    s->bind(1, account_id).bind(2, day);
    if (!s->step()) return std::nullopt;
    return read_one_day(*s);
}

std::optional<OneDayPasswordRecord> CredentialStore::latest_one_day_password(
    std::int64_t account_id) {
    auto db = accounts_.pool().acquire();
    auto s = db->cached(ONE_DAY_SELECT "WHERE account_id = ?1 ORDER BY id DESC LIMIT 1");
    s->bind(1, account_id);
    if (!s->step()) return std::nullopt;
    return read_one_day(*s);
}

bool CredentialStore::mark_one_day_password_used(std::int64_t id, std::int64_t now) {
    return accounts_.write(
               "UPDATE one_day_passwords SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL", id,
               now) == 1;
}

void CredentialStore::activate(std::int64_t account_id, std::int64_t now) {
    update_account(
        accounts_,
        "UPDATE accounts SET status = 'active', activated_at = ?2, status_reason = NULL, "
        "updated_at = ?2 WHERE id = ?1",
        account_id, now);
}

std::optional<TotpRecord> CredentialStore::totp_of(std::int64_t account_id) {
    auto db = accounts_.pool().acquire();
    auto s = db->cached(
        "SELECT version, secret, created_at, last_used_step FROM totp_secrets "
        "WHERE account_id = ?1");
    s->bind(1, account_id);
    if (!s->step()) return std::nullopt;
    return TotpRecord{static_cast<int>(s->int64(0)), s->text(1), s->int64(2), s->optional_int64(3)};
}

TotpRecord CredentialStore::replace_totp(std::int64_t account_id, const std::string& secret,
                                         std::int64_t now) {
    WriteTransaction db(accounts_);
    int version = 1;
    {
        auto s = db->cached("SELECT version FROM totp_secrets WHERE account_id = ?1");
        s->bind(1, account_id);
        if (s->step()) version = static_cast<int>(s->int64(0)) + 1;
    }
    try {
        db->cached(
              "INSERT INTO totp_secrets(account_id, version, secret, created_at, "
              "last_used_step) VALUES (?1, ?2, ?3, ?4, NULL) ON CONFLICT(account_id) DO UPDATE "
              "SET version = excluded.version, secret = excluded.secret, "
              "created_at = excluded.created_at, last_used_step = NULL")
            ->bind_all(account_id, version, secret, now)
            .run();
    } catch (const StoreError& e) {
        // The only constraint that can fail here is the account's foreign key.
        if (e.kind() == StoreError::Kind::Conflict) throw no_such_account(account_id);
        throw;
    }
    db.commit();
    return TotpRecord{version, secret, now, std::nullopt};
}

bool CredentialStore::use_totp_step(std::int64_t account_id, int version, std::int64_t step) {
    return accounts_.write(
               "UPDATE totp_secrets SET last_used_step = ?3 WHERE account_id = ?1 AND version = ?2 "
               "AND (last_used_step IS NULL OR last_used_step < ?3)",
               account_id, version, step) == 1;
}

}  // namespace pkibridge::server
