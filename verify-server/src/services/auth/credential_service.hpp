// Password credentials of portal accounts: the initial password (set by the administration
// service at creation / re-open), the password policy, password changes, failed attempts
// and the temporary lockout. Hashes are Argon2id (libsodium crypto_pwhash_str); plaintext
// is zeroised after use and never logged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/portal_calendar.hpp"
#include "services/auth/password_policy.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

class CredentialStore;
struct PortalServices;

class CredentialService {
public:
    // `portal` gives the audit log (looked up at use: it may be wired after this service).
    CredentialService(CredentialStore& store, const PortalConfig& config, const Clock& clock,
                      const PortalServices& portal);

    // For the administration service (account creation and re-open): stores the Argon2id
    // hash of initial_password_for(national_id, birth_date), makes it usable only on the
    // portal day `day` (YYYY-MM-DD, also written to accounts.initial_password_day), sets
    // password_must_change and clears failed attempts and any lockout. Does not change the
    // account's status and writes no audit entry (the caller audits the create/re-open).
    // Throws ServiceError(BadRequest, "birth-date-required") without a usable birth date.
    void set_initial_password(std::int64_t account_id, std::string_view national_id,
                              std::string_view birth_date, std::string_view day);

    // For the administration service's "unlock": clears failed attempts and locked_until.
    // No audit entry (the caller audits "account.unlock").
    void clear_lockout(std::int64_t account_id);

    // Verifies `password` against the account's current hash, counting failures: the
    // `lockout_attempts`-th wrong password locks the account for `lockout_seconds`
    // (audit "account.lockout"). Throws ServiceError account-locked (with the unlock
    // time) while locked, credentials-invalid on a wrong password.
    // Used by the login service; `ip` goes to the audit trail. A right password does not
    // reset the count by itself: the second factor (check code, TOTP) may still fail.
    void verify_password(const Account& account, std::string_view password, const std::string& ip);
    // The whole login succeeded: the failure count starts again.
    void login_succeeded(std::int64_t account_id);
    // Counts a wrong second factor (one-day check code, TOTP code) like a wrong password.
    // Throws account-locked when this failure locks the account; returns attempts left.
    int count_failure(const Account& account, const std::string& ip);
    // Throws account-locked (with the unlock time in both languages) while locked.
    void check_not_locked(const Account& account) const;

    // POST /api/v1/portal/password. Throws ServiceError password-incorrect (401) or a
    // policy code (400). On success: previous hash <- current, current <- new,
    // password_must_change cleared.
    // Audit "account.password-change" (no password in it).
    void change_password(const Account& account, std::string_view current_password,
                         std::string_view new_password, const std::string& ip);

    const PortalConfig& config() const noexcept { return config_; }

private:
    [[noreturn]] void throw_locked(std::int64_t locked_until) const;

    CredentialStore& store_;
    const PortalConfig& config_;
    const Clock& clock_;
    const PortalServices& portal_;
};

}  // namespace pkibridge::server
