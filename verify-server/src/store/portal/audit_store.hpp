// The audit log over the append-only `audit_log` table (migration 4: triggers refuse
// UPDATE and DELETE). Shares the account store's database file and write turn.
#pragma once

#include "core/clock.hpp"
#include "services/admin/audit_log.hpp"
#include "store/sqlite.hpp"

namespace pkibridge::server {

class SqliteAccountStore;

// Inserts one row on `db` inside the caller's transaction (so a change and its audit row
// commit together). `entry.at` must be set; fills in `entry.id`.
void insert_audit_row(sqlite::Database& db, AuditEntry& entry);

class SqliteAuditLog final : public AuditLog {
public:
    SqliteAuditLog(SqliteAccountStore& store, const Clock& clock);

    AuditEntry append(AuditEntry entry) override;
    std::vector<AuditEntry> list(const AuditQuery& query) override;

private:
    SqliteAccountStore& store_;
    const Clock& clock_;
};

}  // namespace pkibridge::server
