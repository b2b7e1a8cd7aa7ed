// SQLite side of the portal administration (services/admin): account rows with their
// identity types, profile/role/status changes, deletion, the inactivity and certificate
// expiry queries. Every change commits together with its audit row (same transaction).
// Times come from the caller (the server Clock), never from the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/admin/audit_log.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

class SqliteAccountStore;

// An account as the administration sees it: the row plus its identity types.
struct AdminAccount {
    Account account;
    std::vector<std::string> identity_types;  // sorted
};

struct AccountFilter {
    std::string query;  // substring of national ID, name, agency, unit, e-mail
    std::optional<AccountStatus> status;
};

// The profile fields an administrator may change; nullopt = unchanged. For the
// optional-in-store fields an empty string clears the value.
struct ProfileChange : ProfileFields<std::optional<std::string>, std::optional<std::string>> {
    bool empty() const {
        return !national_id && !name && !birth_date && !agency && !unit && !agency_oid &&
               !jurisdiction_oid && !email && !phone;
    }
};

// A registered, not disabled certificate of a not-disabled account expiring soon, and
// the thresholds (days before expiry) already noticed for it.
struct ExpiringCertificate {
    RegisteredCertificate certificate;
    Account account;
    std::vector<int> noticed_days;
};

class SqliteAdminStore {
public:
    explicit SqliteAdminStore(SqliteAccountStore& store) : store_(store) {}

    // Every account matching the filter, ordered by id (scope is filtered by the service).
    std::vector<AdminAccount> find(const AccountFilter& filter);
    std::optional<AdminAccount> get(std::int64_t id);
    std::vector<std::string> identity_types_of(std::int64_t id);

    // Inserts the account (status pending) with its roles and identity types and the
    // audit row. Throws StoreError(Conflict) when the national ID exists.
    AdminAccount create(const AccountProfile& profile,
                        const std::vector<std::string>& identity_types, std::int64_t now,
                        const std::string& actor, AuditEntry audit);
    void update_profile(std::int64_t id, const ProfileChange& change, std::int64_t now,
                        AuditEntry audit);
    void set_identity_types(std::int64_t id, const std::vector<std::string>& types,
                            std::int64_t now, const std::string& actor, AuditEntry audit);
    void set_roles(std::int64_t id, const std::vector<std::string>& roles, std::int64_t now,
                   AuditEntry audit);
    void set_status(std::int64_t id, AccountStatus status, const std::optional<std::string>& reason,
                    std::int64_t now, AuditEntry audit);
    // Deletes the account (its certificates, sessions, identity types cascade); the audit
    // row stays (the audit log has no foreign key).
    void remove(std::int64_t id, AuditEntry audit);
    void append_audit(AuditEntry audit);

    // Active accounts whose last sign of life (last login, activation, creation, or the
    // last re-enable by an administrator) is before `cutoff`.
    std::vector<Account> inactive_since(std::int64_t cutoff);
    // Registered, not disabled certificates of not-disabled accounts with
    // now < not_after <= now + horizon_seconds.
    std::vector<ExpiringCertificate> expiring_certificates(std::int64_t now,
                                                           std::int64_t horizon_seconds);
    // Records the notices (one transaction); false when any was recorded already (another
    // run won the race) - then nothing is recorded and nothing must be sent.
    bool claim_expiry_notices(std::int64_t certificate_id, const std::vector<int>& days,
                              std::int64_t now);
    // Undoes a claim whose e-mail could not be sent, so the next run retries it.
    void release_expiry_notices(std::int64_t certificate_id, const std::vector<int>& days);

private:
    SqliteAccountStore& store_;
};

}  // namespace pkibridge::server
