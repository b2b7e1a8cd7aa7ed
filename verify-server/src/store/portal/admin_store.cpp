#include "store/portal/admin_store.hpp"

#include <algorithm>

#include "store/portal/audit_store.hpp"
#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

using sqlite::Transaction;

namespace {

std::optional<std::string> empty_as_null(const std::string& v) {
    if (v.empty()) return std::nullopt;
    return v;
}

void write_identity_types(sqlite::Database& db, std::int64_t id,
                          const std::vector<std::string>& types, std::int64_t now,
                          const std::string& actor) {
    db.cached("DELETE FROM account_identity_types WHERE account_id = ?1")->bind(1, id).run();
    for (const auto& t : types) {
        db.cached(
              "INSERT OR IGNORE INTO account_identity_types(account_id, identity_type, "
              "granted_at, granted_by) VALUES (?1, ?2, ?3, ?4)")
            ->bind(1, id)
            .bind(2, t)
            .bind(3, now)
            .bind(4, actor)
            .run();
    }
}

void write_roles(sqlite::Database& db, std::int64_t id, const std::vector<std::string>& roles) {
    db.cached("DELETE FROM account_roles WHERE account_id = ?1")->bind(1, id).run();
    for (const auto& r : roles) {
        db.cached("INSERT OR IGNORE INTO account_roles(account_id, role) VALUES (?1, ?2)")
            ->bind(1, id)
            .bind(2, r)
            .run();
    }
}

void touch(sqlite::Database& db, std::int64_t id, std::int64_t now) {
    db.cached("UPDATE accounts SET updated_at = ?2 WHERE id = ?1")->bind(1, id).bind(2, now).run();
    if (db.changes() == 0)
        throw StoreError(StoreError::Kind::NotFound, "no account with id " + std::to_string(id));
}

std::string last4(const std::string& id) {
    return id.size() >= 4 ? id.substr(id.size() - 4) : id;
}

}  // namespace

std::vector<std::string> SqliteAdminStore::identity_types_of(std::int64_t id) {
    auto db = store_.pool().acquire();
    auto s = db->cached(
        "SELECT identity_type FROM account_identity_types WHERE account_id = ?1 "
        "ORDER BY identity_type");
    s->bind(1, id);
    std::vector<std::string> out;
    while (s->step()) out.push_back(s->text(0));
    return out;
}

std::optional<AdminAccount> SqliteAdminStore::get(std::int64_t id) {
    auto a = store_.account_by_id(id);
    if (!a) return std::nullopt;
    return AdminAccount{std::move(*a), identity_types_of(id)};
}

std::vector<AdminAccount> SqliteAdminStore::find(const AccountFilter& f) {
    std::vector<std::int64_t> ids;
    {
        auto db = store_.pool().acquire();
        // instr() rather than LIKE: the query is user text and must not act as a pattern.
        auto s = db->cached(
            "SELECT id FROM accounts WHERE (?1 = '' OR instr(lower(national_id), lower(?1)) "
            "OR instr(name, ?1) OR instr(lower(coalesce(email, '')), lower(?1)) "
            "OR instr(coalesce(agency, ''), ?1) OR instr(coalesce(unit, ''), ?1)) "
            "AND (?2 IS NULL OR status = ?2) ORDER BY id");
        std::optional<std::string> status;
        if (f.status) status = std::string(account_status_name(*f.status));
        s->bind(1, f.query).bind(2, status);
        while (s->step()) ids.push_back(s->int64(0));
    }
    std::vector<AdminAccount> out;
    out.reserve(ids.size());
    for (auto id : ids)
        if (auto a = get(id)) out.push_back(std::move(*a));
    return out;
}

AdminAccount SqliteAdminStore::create(const AccountProfile& p,
                                      const std::vector<std::string>& identity_types,
                                      std::int64_t now, const std::string& actor,
                                      AuditEntry audit) {
    std::int64_t id = 0;
    {
        auto db = store_.pool().acquire();
        auto turn = store_.write_turn();
        Transaction tx(*db, Transaction::Mode::Write);
        try {
            db->cached(
                  "INSERT INTO accounts(national_id, id_last4, name, birth_date, agency, unit, "
                  "agency_oid, jurisdiction_oid, email, phone, status, created_at, updated_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)")
                ->bind(1, p.national_id)
                .bind(2, last4(p.national_id))
                .bind(3, p.name)
                .bind(4, p.birth_date)
                .bind(5, p.agency)
                .bind(6, p.unit)
                .bind(7, p.agency_oid)
                .bind(8, p.jurisdiction_oid)
                .bind(9, p.email)
                .bind(10, p.phone)
                .bind(11, account_status_name(p.status))
                .bind(12, now)
                .run();
        } catch (const StoreError& e) {
            if (e.kind() == StoreError::Kind::Conflict)
                throw StoreError(StoreError::Kind::Conflict,
                                 "an account with national ID " + p.national_id + " exists");
            throw;
        }
        id = db->last_insert_rowid();
        write_roles(*db, id, p.roles);
        write_identity_types(*db, id, identity_types, now, actor);
        audit.account_id = id;
        audit.at = now;
        insert_audit_row(*db, audit);
        tx.commit();
    }
    return *get(id);
}

void SqliteAdminStore::update_profile(std::int64_t id, const ProfileChange& c, std::int64_t now,
                                      AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
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
    audit.at = now;
    insert_audit_row(*db, audit);
    tx.commit();
}

void SqliteAdminStore::set_identity_types(std::int64_t id, const std::vector<std::string>& types,
                                          std::int64_t now, const std::string& actor,
                                          AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
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
            ->bind(1, id)
            .bind(2, h)
            .run();
    }
    for (const auto& t : types) {
        db->cached(
              "INSERT OR IGNORE INTO account_identity_types(account_id, identity_type, "
              "granted_at, granted_by) VALUES (?1, ?2, ?3, ?4)")
            ->bind(1, id)
            .bind(2, t)
            .bind(3, now)
            .bind(4, actor)
            .run();
    }
    audit.at = now;
    insert_audit_row(*db, audit);
    tx.commit();
}

void SqliteAdminStore::set_roles(std::int64_t id, const std::vector<std::string>& roles,
                                 std::int64_t now, AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    touch(*db, id, now);
    write_roles(*db, id, roles);
    audit.at = now;
    insert_audit_row(*db, audit);
    tx.commit();
}

void SqliteAdminStore::set_status(std::int64_t id, AccountStatus status,
                                  const std::optional<std::string>& reason, std::int64_t now,
                                  AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    db->cached("UPDATE accounts SET status = ?2, status_reason = ?3, updated_at = ?4 WHERE id = ?1")
        ->bind(1, id)
        .bind(2, account_status_name(status))
        .bind(3, reason)
        .bind(4, now)
        .run();
    if (db->changes() == 0)
        throw StoreError(StoreError::Kind::NotFound, "no account with id " + std::to_string(id));
    // A disabled account signs out everywhere at once.
    if (status == AccountStatus::Disabled)
        db->cached("DELETE FROM sessions WHERE account_id = ?1")->bind(1, id).run();
    audit.at = now;
    insert_audit_row(*db, audit);
    tx.commit();
}

void SqliteAdminStore::remove(std::int64_t id, AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    db->cached("DELETE FROM accounts WHERE id = ?1")->bind(1, id).run();
    if (db->changes() == 0)
        throw StoreError(StoreError::Kind::NotFound, "no account with id " + std::to_string(id));
    insert_audit_row(*db, audit);
    tx.commit();
}

void SqliteAdminStore::append_audit(AuditEntry audit) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    insert_audit_row(*db, audit);
}

std::vector<Account> SqliteAdminStore::inactive_since(std::int64_t cutoff) {
    std::vector<std::int64_t> ids;
    {
        auto db = store_.pool().acquire();
        auto s = db->cached(
            "SELECT a.id FROM accounts a WHERE a.status = 'active' AND "
            "MAX(COALESCE(a.last_login_at, 0), COALESCE(a.activated_at, 0), a.created_at, "
            "COALESCE((SELECT MAX(l.at) FROM audit_log l WHERE l.account_id = a.id "
            "AND l.action = 'account.enable'), 0)) < ?1 ORDER BY a.id");
        s->bind(1, cutoff);
        while (s->step()) ids.push_back(s->int64(0));
    }
    std::vector<Account> out;
    for (auto id : ids)
        if (auto a = store_.account_by_id(id)) out.push_back(std::move(*a));
    return out;
}

std::vector<ExpiringCertificate> SqliteAdminStore::expiring_certificates(
    std::int64_t now, std::int64_t horizon_seconds) {
    std::vector<ExpiringCertificate> out;
    {
        auto db = store_.pool().acquire();
        auto s = db->cached(
            "SELECT c.id, c.account_id, c.sha256, c.issuer, c.serial, c.subject, c.not_after, "
            "c.registered_at FROM certificates c JOIN accounts a ON a.id = c.account_id "
            "WHERE c.disabled_at IS NULL AND a.status != 'disabled' AND c.not_after > ?1 "
            "AND c.not_after <= ?1 + ?2 ORDER BY c.not_after, c.id");
        s->bind(1, now).bind(2, horizon_seconds);
        while (s->step()) {
            ExpiringCertificate e;
            e.certificate.id = s->int64(0);
            e.certificate.account_id = s->int64(1);
            e.certificate.sha256 = s->text(2);
            e.certificate.issuer = s->text(3);
            e.certificate.serial = s->text(4);
            e.certificate.subject = s->text(5);
            e.certificate.not_after = s->int64(6);
            e.certificate.registered_at = s->int64(7);
            out.push_back(std::move(e));
        }
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
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    for (int d : days) {
        db->cached(
              "INSERT OR IGNORE INTO expiry_notices(certificate_id, days_before, sent_at) "
              "VALUES (?1, ?2, ?3)")
            ->bind(1, certificate_id)
            .bind(2, d)
            .bind(3, now)
            .run();
        if (db->changes() == 0) return false;  // rolls back
    }
    tx.commit();
    return true;
}

void SqliteAdminStore::release_expiry_notices(std::int64_t certificate_id,
                                              const std::vector<int>& days) {
    auto db = store_.pool().acquire();
    auto turn = store_.write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    for (int d : days) {
        db->cached("DELETE FROM expiry_notices WHERE certificate_id = ?1 AND days_before = ?2")
            ->bind(1, certificate_id)
            .bind(2, d)
            .run();
    }
    tx.commit();
}

}  // namespace pkibridge::server
