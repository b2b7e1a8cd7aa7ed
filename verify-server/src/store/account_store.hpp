// The account store seen by the services: accounts (portal users), their registered
// certificates, login history and server-side sessions. SQLite implements it today; the
// interface names no engine so a PostgreSQL store can be added beside it.
// All times are Unix seconds. Errors are StoreError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_error.hpp"

namespace pkibridge::server {

enum class AccountStatus { Pending, Active, Disabled, Locked };
std::string_view account_status_name(AccountStatus status) noexcept;
// Throws StoreError(Failed) on an unknown name.
AccountStatus parse_account_status(std::string_view name);

// The profile's text fields, declared once: AccountProfile holds them (the required ones
// as plain strings), ProfileChange (store/portal/admin_store.hpp) a change to each.
template <class Required, class Optional>
struct ProfileFields {
    Required national_id;  // letter + 9 digits
    Required name;
    Optional birth_date;  // YYYY-MM-DD
    Optional agency;
    Optional unit;
    Optional agency_oid;
    Optional jurisdiction_oid;
    Optional email;
    Optional phone;
};

// What an account holds (see the portal's account rules in docs/server-api.md).
struct AccountProfile : ProfileFields<std::string, std::optional<std::string>> {
    std::vector<std::string> roles;
    AccountStatus status = AccountStatus::Pending;
};

struct Account : AccountProfile {
    std::int64_t id = 0;
    std::optional<std::int64_t> locked_until;
    std::optional<std::int64_t> last_login_at;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    // Portal account rules (docs/portal.md); written by the credential and admin stores.
    bool password_must_change = false;
    bool has_password = false;
    int failed_password_attempts = 0;
    std::optional<std::int64_t> last_password_login_at;
    std::optional<std::int64_t> last_certificate_login_at;
    std::optional<std::string> initial_password_day;  // portal day (YYYY-MM-DD)
    std::optional<std::int64_t> activated_at;
    std::optional<std::string> status_reason;
};

struct CertificateRegistration {
    std::string sha256;  // lowercase hex of the DER
    std::string issuer;
    std::string serial;  // uppercase hex
    std::string subject;
    std::int64_t not_after = 0;
};

struct RegisteredCertificate : CertificateRegistration {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    std::int64_t registered_at = 0;
    std::optional<std::int64_t> disabled_at;
};

struct LoginEvent {
    std::int64_t account_id = 0;
    std::int64_t at = 0;
    std::string method;  // "certificate" (later also "password", "one-day-password")
    std::optional<std::string> certificate_sha256;
    std::optional<std::string> certificate_subject;
    std::optional<std::string> ip;
    std::optional<std::string> user_agent;
};

struct SessionRecord {
    std::string id_hash;  // SHA-256 of the cookie value; the value itself is never stored
    std::int64_t account_id = 0;
    std::string method;
    std::optional<std::string> certificate_sha256;
    std::optional<std::string> ip;
    std::int64_t created_at = 0;
    std::int64_t last_seen_at = 0;
    std::int64_t expires_at = 0;  // absolute end, whatever the activity
};

class AccountStore {
public:
    virtual ~AccountStore() = default;

    // Creates the account and, when given, registers its first certificate, in one
    // transaction. Throws StoreError(Conflict) when the national ID exists or the
    // certificate is registered already. `actor` goes to the audit trail.
    virtual Account create_account(const AccountProfile& profile, std::string_view actor,
                                   const CertificateRegistration* first_certificate = nullptr) = 0;
    virtual std::optional<Account> account_by_id(std::int64_t id) = 0;
    virtual std::optional<Account> account_by_national_id(std::string_view national_id) = 0;
    virtual std::vector<Account> list_accounts(std::size_t limit, std::size_t offset) = 0;
    virtual std::int64_t count_accounts() = 0;
    virtual void set_account_status(std::int64_t id, AccountStatus status,
                                    std::string_view actor) = 0;

    // Throws StoreError(Conflict) when the certificate is registered (to anyone) and
    // StoreError(NotFound) when the account does not exist.
    virtual RegisteredCertificate register_certificate(std::int64_t account_id,
                                                       const CertificateRegistration& cert,
                                                       std::string_view actor) = 0;
    virtual std::optional<RegisteredCertificate> certificate_by_fingerprint(
        std::string_view sha256) = 0;
    virtual std::vector<RegisteredCertificate> certificates_of(std::int64_t account_id) = 0;
    // Accounts whose national ID ends in `last4` and that have no certificate registered:
    // a MOICA card holder who still has to register (the card only carries the last four).
    virtual std::vector<Account> unregistered_accounts_by_id_last4(std::string_view last4) = 0;

    // Records the login and (when given) creates its session, in one transaction.
    virtual void record_login(const LoginEvent& event, const SessionRecord* session) = 0;
    virtual std::vector<LoginEvent> recent_logins(std::int64_t account_id, std::size_t limit) = 0;

    virtual std::optional<SessionRecord> session_by_hash(std::string_view id_hash) = 0;
    virtual void touch_session(std::string_view id_hash, std::int64_t last_seen_at) = 0;
    virtual void delete_session(std::string_view id_hash) = 0;
    virtual std::size_t purge_expired_sessions(std::int64_t now, std::int64_t idle_seconds) = 0;
    // "Log out everywhere": ends every session of the account except `keep_id_hash` (the
    // caller's own, after a password change); returns how many.
    virtual std::size_t delete_sessions_of(std::int64_t account_id,
                                           std::string_view keep_id_hash = {}) = 0;

    // Cheap liveness check for /api/v1/health; throws StoreError when unusable.
    virtual void ping() = 0;
};

}  // namespace pkibridge::server
