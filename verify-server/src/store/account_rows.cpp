#include "store/account_rows.hpp"

namespace pkibridge::server::account_rows {

namespace {

std::string id_last4(std::string_view national_id) {
    return std::string(national_id.size() >= 4 ? national_id.substr(national_id.size() - 4)
                                               : national_id);
}

}  // namespace

Account read_account(const sqlite::Statement& s) {
    Account a;
    a.id = s.int64(0);
    a.national_id = s.text(1);
    a.name = s.text(2);
    a.birth_date = s.optional_text(3);
    a.agency = s.optional_text(4);
    a.unit = s.optional_text(5);
    a.agency_oid = s.optional_text(6);
    a.jurisdiction_oid = s.optional_text(7);
    a.email = s.optional_text(8);
    a.phone = s.optional_text(9);
    a.status = parse_account_status(s.text(10));
    a.locked_until = s.optional_int64(11);
    a.last_login_at = s.optional_int64(12);
    a.created_at = s.int64(13);
    a.updated_at = s.int64(14);
    a.password_must_change = s.int64(15) != 0;
    a.last_password_login_at = s.optional_int64(16);
    a.last_certificate_login_at = s.optional_int64(17);
    a.initial_password_day = s.optional_text(18);
    a.activated_at = s.optional_int64(19);
    a.status_reason = s.optional_text(20);
    a.failed_password_attempts = static_cast<int>(s.int64(21));
    a.has_password = s.int64(22) != 0;
    return a;
}

void load_roles(sqlite::Database& db, Account& a) {
    auto s = db.cached("SELECT role FROM account_roles WHERE account_id = ?1 ORDER BY role");
    s->bind(1, a.id);
    while (s->step()) a.roles.push_back(s->text(0));
}

RegisteredCertificate read_certificate(const sqlite::Statement& s) {
    RegisteredCertificate c;
    c.id = s.int64(0);
    c.account_id = s.int64(1);
    c.sha256 = s.text(2);
    c.issuer = s.text(3);
    c.serial = s.text(4);
    c.subject = s.text(5);
    c.not_after = s.int64(6);
    c.registered_at = s.int64(7);
    c.disabled_at = s.optional_int64(8);
    return c;
}

std::int64_t insert_account(sqlite::Database& db, const AccountProfile& p, std::int64_t now) {
    {
        auto s = db.cached(
            "INSERT INTO accounts(national_id, id_last4, name, birth_date, agency, unit, "
            "agency_oid, jurisdiction_oid, email, phone, status, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
        s->bind_all(p.national_id, id_last4(p.national_id), p.name, p.birth_date, p.agency, p.unit,
                    p.agency_oid, p.jurisdiction_oid, p.email, p.phone,
                    account_status_name(p.status), now);
        insert_unique(*s, "an account with national ID " + p.national_id + " exists");
    }
    const std::int64_t id = db.last_insert_rowid();
    insert_roles(db, id, p.roles);
    return id;
}

void insert_roles(sqlite::Database& db, std::int64_t account_id,
                  const std::vector<std::string>& roles) {
    for (const auto& role : roles) {
        db.cached("INSERT OR IGNORE INTO account_roles(account_id, role) VALUES (?1, ?2)")
            ->bind_all(account_id, role)
            .run();
    }
}

void insert_unique(sqlite::Statement& insert, const std::string& message) {
    try {
        insert.run();
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Conflict)
            throw StoreError(StoreError::Kind::Conflict, message);
        throw;
    }
}

void require_account_changed(sqlite::Database& db, std::int64_t account_id) {
    if (db.changes() == 0)
        throw StoreError(StoreError::Kind::NotFound,
                         "no account with id " + std::to_string(account_id));
}

}  // namespace pkibridge::server::account_rows
