// Portal administration (docs/portal.md, docs/portal-api.md "Administration"): accounts in
// the administrator's scope, creation with the initial password, profile / identity type /
// role / status changes, deletion, unlock, re-open, the audit trail, and the account's own
// contact data. Every method checks role and scope itself (the HTTP guard only checks the
// session); every change writes an audit row with before/after (never secrets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/portal_calendar.hpp"
#include "services/admin/catalogue.hpp"
#include "services/admin/portal_user.hpp"
#include "store/portal/admin_store.hpp"

namespace pkibridge::server {

class AuditLog;
class CredentialService;

struct NewAccount {
    AccountProfile profile;  // status is ignored (new accounts are pending)
    std::vector<std::string> identity_types;
    std::optional<std::vector<std::string>> roles;  // super-admin only; default {"user"}
};

struct InitialPasswordResult {
    AdminAccount account;
    std::string valid_on;  // portal day (YYYY-MM-DD)
};

struct AccountPage {
    std::vector<AdminAccount> accounts;
    std::size_t total = 0;
};

class AdminService {
public:
    AdminService(SqliteAdminStore& store, AccountStore& accounts, CredentialService& credentials,
                 AuditLog& audit, const Catalogue& catalogue, const Clock& clock,
                 PortalCalendar calendar);

    AccountPage list(const PortalUser& admin, const AccountFilter& filter, std::size_t offset,
                     std::size_t limit);
    AdminAccount get(const PortalUser& admin, std::int64_t id);
    InitialPasswordResult create(const PortalUser& admin, NewAccount request,
                                 const std::string& ip);
    AdminAccount update(const PortalUser& admin, std::int64_t id, const ProfileChange& change,
                        const std::string& ip);
    AdminAccount set_identity_types(const PortalUser& admin, std::int64_t id,
                                    std::vector<std::string> types, const std::string& ip);
    AdminAccount set_roles(const PortalUser& admin, std::int64_t id, std::vector<std::string> roles,
                           const std::string& ip);
    // status: Active (re-enable; a never-activated account goes back to pending) or
    // Disabled (ends its sessions).
    AdminAccount set_status(const PortalUser& admin, std::int64_t id, AccountStatus status,
                            const std::string& reason, const std::string& ip);
    void remove(const PortalUser& admin, std::int64_t id, const std::string& reason,
                const std::string& ip);
    AdminAccount unlock(const PortalUser& admin, std::int64_t id, const std::string& ip);
    InitialPasswordResult reopen(const PortalUser& admin, std::int64_t id, const std::string& ip);
    // The audit trail: of one account (in scope), or of every account in scope.
    std::vector<AuditEntry> audit(const PortalUser& admin, std::optional<std::int64_t> account_id,
                                  std::size_t offset, std::size_t limit);
    // Every account in scope, for the semi-annual review list.
    std::vector<AdminAccount> review(const PortalUser& admin);

    // POST /api/v1/portal/me/profile: the user's own e-mail and phone only.
    AdminAccount update_own_contact(const PortalUser& user, const std::optional<std::string>& email,
                                    const std::optional<std::string>& phone, const std::string& ip);
    AdminAccount own_account(const PortalUser& user);

    const Catalogue& catalogue() const noexcept { return catalogue_; }

    // Audit before/after snapshot: profile, roles, identity types, status and lockout
    // state; never hashes, codes or secrets.
    static nlohmann::json snapshot(const AdminAccount& account);

private:
    AdminAccount load_in_scope(const PortalUser& admin, std::int64_t id);
    AuditEntry entry(const PortalUser& actor, std::string action, const AdminAccount& target,
                     const std::string& ip) const;
    void check_identity_types(std::vector<std::string>& types) const;

    SqliteAdminStore& store_;
    AccountStore& accounts_;
    CredentialService& credentials_;
    AuditLog& audit_;
    const Catalogue& catalogue_;
    const Clock& clock_;
    PortalCalendar calendar_;
};

// Field checks shared with the CLI; throw FieldError (400) naming the field.
void validate_new_profile(const AccountProfile& profile);
void validate_profile_change(const ProfileChange& change);
void validate_roles(std::vector<std::string>& roles);

}  // namespace pkibridge::server
