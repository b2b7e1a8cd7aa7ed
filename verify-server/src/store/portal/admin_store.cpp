#include "store/portal/admin_store.hpp"

#include <algorithm>

#include "store/account_rows.hpp"
#include "store/portal/audit_store.hpp"
#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

using namespace account_rows;
using WriteTransaction = SqliteAccountStore::WriteTransaction;

namespace {

std::optional<std::string> empty_as_null(const std::string& v) {
    if (v.empty()) return std::nullopt;
    return v;
}

void insert_identity_types(sqlite::Database& db, std::int64_t id,
                           const std::vector<std::string>& types, std::int64_t now,
                           const std::string& actor) {
    for (const auto& t : types) {
        db.cached(
              "INSERT OR IGNORE INTO account_identity_types(account_id, identity_type, "
              "granted_at, granted_by) VALUES (?1, ?2, ?3, ?4)")
            ->bind_all(id, t, now, actor)
            .run();
    }
}

std::vector<std::string> identity_types_on(sqlite::Database& db, std::int64_t id) {
    auto s = db.cached(
        "SELECT identity_type FROM account_identity_types WHERE account_id = ?1 "
        "ORDER BY identity_type");
    s->bind(1, id);
    std::vector<std::string> out;
    while (s->step()) out.push_back(s->text(0));
    return out;
}

void touch(sqlite::Database& db, std::int64_t id, std::int64_t now) {
    db.cached("UPDATE accounts SET updated_at = ?2 WHERE id = ?1")->bind_all(id, now).run();
    require_account_changed(db, id);
}

// A change commits together with its audit row, stamped with the change's time.
void commit_with_audit(WriteTransaction& db, AuditEntry& audit, std::int64_t now) {
    audit.at = now;
    insert_audit_row(*db, audit);
    db.commit();
}

}  // namespace

std::vector<std::string> SqliteAdminStore::identity_types_of(std::int64_t id) {
    auto db = store_.pool().acquire();
    return identity_types_on(*db, id);
}

std::optional<AdminAccount> SqliteAdminStore::get(std::int64_t id) {
    auto a = store_.account_by_id(id);
    if (!a) return std::nullopt;
    return AdminAccount{std::move(*a), identity_types_of(id)};
}

std::vector<AdminAccount> SqliteAdminStore::find(const AccountFilter& f) {
    std::optional<std::string> status;
    if (f.status) status = std::string(account_status_name(*f.status));
    auto db = store_.pool().acquire();
    // instr() rather than LIKE: the query is user text and must not act as a pattern.
    std::vector<Account> accounts =
        select_accounts(*db,
                        PKIBRIDGE_ACCOUNT_SELECT
                        "WHERE (?1 = '' OR instr(lower(national_id), lower(?1)) "
                        "OR instr(name, ?1) OR instr(lower(coalesce(email, '')), lower(?1)) "
                        "OR instr(coalesce(agency, ''), ?1) OR instr(coalesce(unit, ''), ?1)) "
                        "AND (?2 IS NULL OR status = ?2) ORDER BY id",
                        f.query, status);
    std::vector<AdminAccount> out;
    out.reserve(accounts.size());
    for (auto& a : accounts) {
        auto types = identity_types_on(*db, a.id);
        out.push_back(AdminAccount{std::move(a), std::move(types)});
    }
    return out;
}

AdminAccount SqliteAdminStore::create(const AccountProfile& p,
                                      const std::vector<std::string>& identity_types,
                                      std::int64_t now, const std::string& actor,
                                      AuditEntry audit) {
    std::int64_t id = 0;
    {
        WriteTransaction db(store_);
        id = insert_account(*db, p, now);
        insert_identity_types(*db, id, identity_types, now, actor);
        audit.account_id = id;
        commit_with_audit(db, audit, now);
    }
    return *get(id);
}

void SqliteAdminStore::update_profile(std::int64_t id, const ProfileChange& c, std::int64_t now,
                                      AuditEntry audit) {
    WriteTransaction db(store_);
    touch(*db, id, now);
    // One statement per field keeps every statement a cached literal.
    auto set_text = [&](const char* sql, const std::optional<std::string>& v, bool nullable) {
        if (!v) return;
        auto s = db->cached(sql);
        s->bind(1, id);
        if (nullable)
            s->bind(2, empty_as_null(*v));
        else
            s->bind(2, *v);
        s->run();
    };
    try {
        set_text("UPDATE accounts SET national_id = ?2, id_last4 = substr(?2, -4) WHERE id = ?1",
                 c.national_id, false);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Conflict)
            throw StoreError(StoreError::Kind::Conflict,
                             "an account with national ID " + *c.national_id + " exists");
        throw;
    }
    set_text("UPDATE accounts SET name = ?2 WHERE id = ?1", c.name, false);
    set_text("UPDATE accounts SET birth_date = ?2 WHERE id = ?1", c.birth_date, true);
    set_text("UPDATE accounts SET agency = ?2 WHERE id = ?1", c.agency, true);
    set_text("UPDATE accounts SET unit = ?2 WHERE id = ?1", c.unit, true);
    set_text("UPDATE accounts SET agency_oid = ?2 WHERE id = ?1", c.agency_oid, true);
    set_text("UPDATE accounts SET jurisdiction_oid = ?2 WHERE id = ?1", c.jurisdiction_oid, true);
    set_text("UPDATE accounts SET email = ?2 WHERE id = ?1", c.email, true);
    set_text("UPDATE accounts SET phone = ?2 WHERE id = ?1", c.phone, true);
    commit_with_audit(db, audit, now);
}

void SqliteAdminStore::set_identity_types(std::int64_t id, const std::vector<std::string>& types,
                                          std::int64_t now, const std::string& actor,
                                          AuditEntry audit) {
    WriteTransaction db(store_);
    touch(*db, id, now);
    // Keep the original grant time of types the account already held.
    std::vector<std::string> held;
    {
        auto s =
            db->cached("SELECT identity_type FROM account_identity_types WHERE account_id = ?1");
        s->bind(1, id);
        while (s->step()) held.push_back(s->text(0));
    }
    for (const auto& h : held) {
        if (std::find(types.begin(), types.end(), h) != types.end()) continue;
        db->cached(
              "DELETE FROM account_identity_types WHERE account_id = ?1 AND identity_type = ?2")
            ->bind_all(id, h)
            .run();
    }
    insert_identity_types(*db, id, types, now, actor);
    commit_with_audit(db, audit, now);
}

void SqliteAdminStore::set_roles(std::int64_t id, const std::vector<std::string>& roles,
                                 std::int64_t now, AuditEntry audit) {
    WriteTransaction db(store_);
    touch(*db, id, now);
    db->cached("DELETE FROM account_roles WHERE account_id = ?1")->bind(1, id).run();
    insert_roles(*db, id, roles);
    commit_with_audit(db, audit, now);
}

void SqliteAdminStore::set_status(std::int64_t id, AccountStatus status,
                                  const std::optional<std::string>& reason, std::int64_t now,
                                  AuditEntry audit) {
    WriteTransaction db(store_);
    db->cached("UPDATE accounts SET status = ?2, status_reason = ?3, updated_at = ?4 WHERE id = ?1")
        ->bind_all(id, account_status_name(status), reason, now)
        .run();
    require_account_changed(*db, id);
    // A disabled account signs out everywhere at once.
    if (status == AccountStatus::Disabled)
        db->cached("DELETE FROM sessions WHERE account_id = ?1")->bind(1, id).run();
    commit_with_audit(db, audit, now);
}

void SqliteAdminStore::remove(std::int64_t id, AuditEntry audit) {
    WriteTransaction db(store_);
    db->cached("DELETE FROM accounts WHERE id = ?1")->bind(1, id).run();
    require_account_changed(*db, id);
    insert_audit_row(*db, audit);
    db.commit();
}

void SqliteAdminStore::append_audit(AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    insert_audit_row(*db, audit);
}

std::vector<Account> SqliteAdminStore::inactive_since(std::int64_t cutoff) {
    auto db = store_.pool().acquire();
    return select_accounts(
        *db,
        PKIBRIDGE_ACCOUNT_SELECT
        "WHERE status = 'active' AND "
        "MAX(COALESCE(last_login_at, 0), COALESCE(activated_at, 0), created_at, "
        "COALESCE((SELECT MAX(l.at) FROM audit_log l WHERE l.account_id = accounts.id "
        "AND l.action = 'account.enable'), 0)) < ?1 ORDER BY id",
        cutoff);
}

std::vector<ExpiringCertificate> SqliteAdminStore::expiring_certificates(
    std::int64_t now, std::int64_t horizon_seconds) {
    std::vector<ExpiringCertificate> out;
    {
        auto db = store_.pool().acquire();
        auto s = db->cached(PKIBRIDGE_CERT_SELECT
                            "WHERE disabled_at IS NULL AND not_after > ?1 "
                            "AND not_after <= ?1 + ?2 AND account_id IN "
                            "(SELECT id FROM accounts WHERE status != 'disabled') "
                            "ORDER BY not_after, id");
        s->bind_all(now, horizon_seconds);
        while (s->step()) out.push_back(ExpiringCertificate{read_certificate(*s), {}, {}});
        for (auto& e : out) {
            auto n = db->cached("SELECT days_before FROM expiry_notices WHERE certificate_id = ?1");
            n->bind(1, e.certificate.id);
            while (n->step()) e.noticed_days.push_back(static_cast<int>(n->int64(0)));
        }
    }
    for (auto& e : out)
        if (auto a = store_.account_by_id(e.certificate.account_id)) e.account = std::move(*a);
    return out;
}

bool SqliteAdminStore::claim_expiry_notices(std::int64_t certificate_id,
                                            const std::vector<int>& days, std::int64_t now) {
    WriteTransaction db(store_);
    for (int d : days) {
        db->cached(
              "INSERT OR IGNORE INTO expiry_notices(certificate_id, days_before, sent_at) "
              "VALUES (?1, ?2, ?3)")
            ->bind_all(certificate_id, d, now)
            .run();
        if (db->changes() == 0) return false;  // rolls back
    }
    db.commit();
    return true;
}

void SqliteAdminStore::release_expiry_notices(std::int64_t certificate_id,
                                              const std::vector<int>& days) {
    WriteTransaction db(store_);
    for (int d : days) {
        db->cached("DELETE FROM expiry_notices WHERE certificate_id = ?1 AND days_before = ?2")
            ->bind_all(certificate_id, d)
            .run();
    }
    db.commit();
}

}  // namespace pkibridge::server
