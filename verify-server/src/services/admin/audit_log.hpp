// The append-only audit trail of account changes (create, delete, role / identity-type
// change, unlock, one-day password, certificate registration, disable, lockout, ...).
// The SQLite table refuses UPDATE and DELETE by trigger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/account_store.hpp"

namespace pkibridge::server {

struct AuditEntry {
    std::int64_t id = 0;  // set by the store
    std::int64_t at = 0;  // Unix seconds; 0 -> the log's clock fills it in
    // Who: "account:<id>" for a portal user, "cli" for the command line, "system:<job>"
    // for scheduled jobs, "anonymous" for failed logins.
    std::string actor;
    std::string action;  // e.g. "account.create", "account.lockout", "certificate.register"
    std::optional<std::int64_t> account_id;  // the account changed, if any
    std::optional<std::string> national_id;  // kept so rows stay readable after deletion
    nlohmann::json before;                   // null when not applicable
    nlohmann::json after;
    std::optional<std::string> ip;
};

// An entry about one account: when, who, what, the account's id and national ID, and
// the client address when known (empty: none). before/after are the caller's.
AuditEntry account_audit_entry(std::int64_t at, std::string actor, std::string action,
                               const Account& account, const std::string& ip = {});

struct AuditQuery {
    std::optional<std::int64_t> account_id;
    std::optional<std::int64_t> since;
    std::optional<std::int64_t> until;
    std::size_t limit = 100;
    std::size_t offset = 0;
};

class AuditLog {
public:
    virtual ~AuditLog() = default;
    // Never logs secrets: callers pass profile data, not passwords, codes or secrets.
    virtual AuditEntry append(AuditEntry entry) = 0;
    virtual std::vector<AuditEntry> list(const AuditQuery& query) = 0;
};

}  // namespace pkibridge::server
