#include "store/portal/audit_store.hpp"

#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

namespace {

std::optional<std::string> json_column(const nlohmann::json& j) {
    if (j.is_null()) return std::nullopt;
    return j.dump();
}

nlohmann::json parse_column(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    // Written by insert_audit_row only; a damaged row is shown as text, not dropped.
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) return *text;
    return j;
}

}  // namespace

void insert_audit_row(sqlite::Database& db, AuditEntry& e) {
    db.cached(
          "INSERT INTO audit_log(at, actor, action, account_id, national_id, before_json, "
          "after_json, ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        ->bind_all(e.at, e.actor, e.action, e.account_id, e.national_id, json_column(e.before),
                   json_column(e.after), e.ip)
        .run();
    e.id = db.last_insert_rowid();
}

SqliteAuditLog::SqliteAuditLog(SqliteAccountStore& store, const Clock& clock)
    : store_(store), clock_(clock) {}

AuditEntry SqliteAuditLog::append(AuditEntry entry) {
    if (entry.at == 0) entry.at = clock_.now_unix();
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    insert_audit_row(*db, entry);
    return entry;
}

std::vector<AuditEntry> SqliteAuditLog::list(const AuditQuery& q) {
    auto db = store_.pool().acquire();
    // Optional filters as "?n IS NULL OR ..." so one cached statement serves every query.
    auto s = db->cached(
        "SELECT id, at, actor, action, account_id, national_id, before_json, after_json, ip "
        "FROM audit_log WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR at >= ?2) "
        "AND (?3 IS NULL OR at < ?3) ORDER BY at DESC, id DESC LIMIT ?4 OFFSET ?5");
    s->bind_all(q.account_id, q.since, q.until, static_cast<std::int64_t>(q.limit),
                static_cast<std::int64_t>(q.offset));
    std::vector<AuditEntry> out;
    while (s->step()) {
        AuditEntry e;
        e.id = s->int64(0);
        e.at = s->int64(1);
        e.actor = s->text(2);
        e.action = s->text(3);
        e.account_id = s->optional_int64(4);
        e.national_id = s->optional_text(5);
        e.before = parse_column(s->optional_text(6));
        e.after = parse_column(s->optional_text(7));
        e.ip = s->optional_text(8);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace pkibridge::server
