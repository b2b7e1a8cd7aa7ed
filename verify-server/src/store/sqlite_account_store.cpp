#include "store/sqlite_account_store.hpp"

#include <ctime>

#include "store/migrations.hpp"

namespace pkibridge::server {

using sqlite::Statement;
using sqlite::Transaction;

std::string_view account_status_name(AccountStatus status) noexcept {
    switch (status) {
        case AccountStatus::Pending:
            return "pending";
        case AccountStatus::Active:
            return "active";
        case AccountStatus::Disabled:
            return "disabled";
        case AccountStatus::Locked:
            return "locked";
    }
    return "pending";
}

AccountStatus parse_account_status(std::string_view name) {
    if (name == "pending") return AccountStatus::Pending;
    if (name == "active") return AccountStatus::Active;
    if (name == "disabled") return AccountStatus::Disabled;
    if (name == "locked") return AccountStatus::Locked;
    throw StoreError(StoreError::Kind::Failed,
                     "unknown account status '" + std::string(name) + "'");
}

namespace {

std::int64_t unix_now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

#define ACCOUNT_SELECT                                                                       \
    "SELECT id, national_id, name, birth_date, agency, unit, agency_oid, jurisdiction_oid, " \
    "email, phone, status, locked_until, last_login_at, created_at, updated_at, "            \
    "password_must_change, last_password_login_at, last_certificate_login_at, "              \
    "initial_password_day, activated_at, status_reason, failed_password_attempts, "          \
    "password_hash IS NOT NULL FROM accounts "

Account read_account(const Statement& s) {
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

#define CERT_SELECT                                                                      \
    "SELECT id, account_id, sha256, issuer, serial, subject, not_after, registered_at, " \
    "disabled_at FROM certificates "

RegisteredCertificate read_certificate(const Statement& s) {
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

void audit(sqlite::Database& db, std::optional<std::int64_t> account_id, std::int64_t at,
           std::string_view actor, std::string_view event, std::string_view detail) {
    db.cached(
          "INSERT INTO account_events(account_id, at, actor, event, detail) "
          "VALUES (?1, ?2, ?3, ?4, ?5)")
        ->bind(1, account_id)
        .bind(2, at)
        .bind(3, actor)
        .bind(4, event)
        .bind(5, detail)
        .run();
}

RegisteredCertificate insert_certificate(sqlite::Database& db, std::int64_t account_id,
                                         const CertificateRegistration& cert, std::int64_t now,
                                         std::string_view actor) {
    try {
        db.cached(
              "INSERT INTO certificates(account_id, sha256, issuer, serial, subject, not_after, "
              "registered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            ->bind(1, account_id)
            .bind(2, cert.sha256)
            .bind(3, cert.issuer)
            .bind(4, cert.serial)
            .bind(5, cert.subject)
            .bind(6, cert.not_after)
            .bind(7, now)
            .run();
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Conflict)
            throw StoreError(StoreError::Kind::Conflict,
                             "certificate " + cert.sha256 + " is already registered");
        throw;
    }
    RegisteredCertificate out;
    static_cast<CertificateRegistration&>(out) = cert;
    out.id = db.last_insert_rowid();
    out.account_id = account_id;
    out.registered_at = now;
    audit(db, account_id, now, actor, "certificate-registered", cert.sha256);
    return out;
}

std::string id_last4(std::string_view national_id) {
    return std::string(national_id.size() >= 4 ? national_id.substr(national_id.size() - 4)
                                               : national_id);
}

}  // namespace

SqliteAccountStore::SqliteAccountStore(const std::filesystem::path& path,
                                       const SqliteStoreOptions& options)
    : pool_(path,
            sqlite::OpenOptions{.busy_timeout_ms = options.busy_timeout_ms,
                                .synchronous_full = options.synchronous_full,
                                .create = true},
            options.connections) {
    auto db = pool_.acquire();
    migrate(*db);
}

Account SqliteAccountStore::create_account(const AccountProfile& p, std::string_view actor,
                                           const CertificateRegistration* first_certificate) {
    auto db = pool_.acquire();
    const std::int64_t now = unix_now();
    auto turn = write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    {
        auto s = db->cached(
            "INSERT INTO accounts(national_id, id_last4, name, birth_date, agency, unit, "
            "agency_oid, jurisdiction_oid, email, phone, status, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
        s->bind(1, p.national_id)
            .bind(2, id_last4(p.national_id))
            .bind(3, p.name)
            .bind(4, p.birth_date)
            .bind(5, p.agency)
            .bind(6, p.unit)
            .bind(7, p.agency_oid)
            .bind(8, p.jurisdiction_oid)
            .bind(9, p.email)
            .bind(10, p.phone)
            .bind(11, account_status_name(p.status))
            .bind(12, now);
        try {
            s->run();
        } catch (const StoreError& e) {
            if (e.kind() == StoreError::Kind::Conflict)
                throw StoreError(StoreError::Kind::Conflict,
                                 "an account with national ID " + p.national_id + " exists");
            throw;
        }
    }
    const std::int64_t id = db->last_insert_rowid();
    for (const auto& role : p.roles) {
        db->cached("INSERT OR IGNORE INTO account_roles(account_id, role) VALUES (?1, ?2)")
            ->bind(1, id)
            .bind(2, role)
            .run();
    }
    audit(*db, id, now, actor, "account-created", account_status_name(p.status));
    if (first_certificate) insert_certificate(*db, id, *first_certificate, now, actor);
    tx.commit();
    Account a;
    static_cast<AccountProfile&>(a) = p;
    a.id = id;
    a.created_at = a.updated_at = now;
    return a;
}

std::optional<Account> SqliteAccountStore::account_by_id(std::int64_t id) {
    auto db = pool_.acquire();
    std::optional<Account> out;
    {
        auto s = db->cached(ACCOUNT_SELECT "WHERE id = ?1");
        s->bind(1, id);
        if (s->step()) out = read_account(*s);
    }
    if (out) load_roles(*db, *out);
    return out;
}

std::optional<Account> SqliteAccountStore::account_by_national_id(std::string_view national_id) {
    auto db = pool_.acquire();
    std::optional<Account> out;
    {
        auto s = db->cached(ACCOUNT_SELECT "WHERE national_id = ?1");
        s->bind(1, national_id);
        if (s->step()) out = read_account(*s);
    }
    if (out) load_roles(*db, *out);
    return out;
}

std::vector<Account> SqliteAccountStore::list_accounts(std::size_t limit, std::size_t offset) {
    auto db = pool_.acquire();
    Transaction tx(*db, Transaction::Mode::Read);  // one consistent snapshot
    std::vector<Account> out;
    {
        auto s = db->cached(ACCOUNT_SELECT "ORDER BY id LIMIT ?1 OFFSET ?2");
        s->bind(1, static_cast<std::int64_t>(limit)).bind(2, static_cast<std::int64_t>(offset));
        while (s->step()) out.push_back(read_account(*s));
    }
    for (auto& a : out) load_roles(*db, a);
    tx.commit();
    return out;
}

std::int64_t SqliteAccountStore::count_accounts() {
    auto db = pool_.acquire();
    auto s = db->cached("SELECT COUNT(*) FROM accounts");
    s->step();
    return s->int64(0);
}

void SqliteAccountStore::set_account_status(std::int64_t id, AccountStatus status,
                                            std::string_view actor) {
    auto db = pool_.acquire();
    const std::int64_t now = unix_now();
    auto turn = write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    db->cached("UPDATE accounts SET status = ?2, updated_at = ?3 WHERE id = ?1")
        ->bind(1, id)
        .bind(2, account_status_name(status))
        .bind(3, now)
        .run();
    if (db->changes() == 0)
        throw StoreError(StoreError::Kind::NotFound, "no account with id " + std::to_string(id));
    audit(*db, id, now, actor, "status-changed", account_status_name(status));
    tx.commit();
}

RegisteredCertificate SqliteAccountStore::register_certificate(std::int64_t account_id,
                                                               const CertificateRegistration& cert,
                                                               std::string_view actor) {
    auto db = pool_.acquire();
    const std::int64_t now = unix_now();
    auto turn = write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    {
        auto s = db->cached("SELECT 1 FROM accounts WHERE id = ?1");
        s->bind(1, account_id);
        if (!s->step())
            throw StoreError(StoreError::Kind::NotFound,
                             "no account with id " + std::to_string(account_id));
    }
    RegisteredCertificate out = insert_certificate(*db, account_id, cert, now, actor);
    tx.commit();
    return out;
}

std::optional<RegisteredCertificate> SqliteAccountStore::certificate_by_fingerprint(
    std::string_view sha256) {
    auto db = pool_.acquire();
    auto s = db->cached(CERT_SELECT "WHERE sha256 = ?1");
    s->bind(1, sha256);
    if (s->step()) return read_certificate(*s);
    return std::nullopt;
}

std::vector<RegisteredCertificate> SqliteAccountStore::certificates_of(std::int64_t account_id) {
    auto db = pool_.acquire();
    auto s = db->cached(CERT_SELECT "WHERE account_id = ?1 ORDER BY registered_at, id");
    s->bind(1, account_id);
    std::vector<RegisteredCertificate> out;
    while (s->step()) out.push_back(read_certificate(*s));
    return out;
}

std::vector<Account> SqliteAccountStore::unregistered_accounts_by_id_last4(std::string_view last4) {
    auto db = pool_.acquire();
    std::vector<Account> out;
    {
        auto s = db->cached(ACCOUNT_SELECT
                            "WHERE id_last4 = ?1 AND NOT EXISTS "
                            "(SELECT 1 FROM certificates c WHERE c.account_id = accounts.id) "
                            "ORDER BY id LIMIT 100");
        s->bind(1, last4);
        while (s->step()) out.push_back(read_account(*s));
    }
    for (auto& a : out) load_roles(*db, a);
    return out;
}

void SqliteAccountStore::record_login(const LoginEvent& e, const SessionRecord* session) {
    auto db = pool_.acquire();
    auto turn = write_turn();
    Transaction tx(*db, Transaction::Mode::Write);
    db->cached(
          "INSERT INTO login_history(account_id, at, method, certificate_sha256, "
          "certificate_subject, ip, user_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        ->bind(1, e.account_id)
        .bind(2, e.at)
        .bind(3, e.method)
        .bind(4, e.certificate_sha256)
        .bind(5, e.certificate_subject)
        .bind(6, e.ip)
        .bind(7, e.user_agent)
        .run();
    // Certificate and password logins are shown separately on the home page.
    db->cached(
          "UPDATE accounts SET last_login_at = ?2, "
          "last_certificate_login_at = CASE WHEN ?3 = 'certificate' THEN ?2 "
          "ELSE last_certificate_login_at END, "
          "last_password_login_at = CASE WHEN ?3 = 'certificate' THEN last_password_login_at "
          "ELSE ?2 END WHERE id = ?1")
        ->bind(1, e.account_id)
        .bind(2, e.at)
        .bind(3, e.method)
        .run();
    if (session) {
        db->cached(
              "INSERT INTO sessions(id_hash, account_id, method, certificate_sha256, ip, "
              "created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            ->bind(1, session->id_hash)
            .bind(2, session->account_id)
            .bind(3, session->method)
            .bind(4, session->certificate_sha256)
            .bind(5, session->ip)
            .bind(6, session->created_at)
            .bind(7, session->last_seen_at)
            .bind(8, session->expires_at)
            .run();
    }
    tx.commit();
}

std::vector<LoginEvent> SqliteAccountStore::recent_logins(std::int64_t account_id,
                                                          std::size_t limit) {
    auto db = pool_.acquire();
    auto s = db->cached(
        "SELECT account_id, at, method, certificate_sha256, certificate_subject, ip, user_agent "
        "FROM login_history WHERE account_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2");
    s->bind(1, account_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<LoginEvent> out;
    while (s->step()) {
        LoginEvent e;
        e.account_id = s->int64(0);
        e.at = s->int64(1);
        e.method = s->text(2);
        e.certificate_sha256 = s->optional_text(3);
        e.certificate_subject = s->optional_text(4);
        e.ip = s->optional_text(5);
        e.user_agent = s->optional_text(6);
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<SessionRecord> SqliteAccountStore::session_by_hash(std::string_view id_hash) {
    auto db = pool_.acquire();
    auto s = db->cached(
        "SELECT id_hash, account_id, method, certificate_sha256, ip, created_at, last_seen_at, "
        "expires_at FROM sessions WHERE id_hash = ?1");
    s->bind(1, id_hash);
    if (!s->step()) return std::nullopt;
    SessionRecord r;
    r.id_hash = s->text(0);
    r.account_id = s->int64(1);
    r.method = s->text(2);
    r.certificate_sha256 = s->optional_text(3);
    r.ip = s->optional_text(4);
    r.created_at = s->int64(5);
    r.last_seen_at = s->int64(6);
    r.expires_at = s->int64(7);
    return r;
}

void SqliteAccountStore::touch_session(std::string_view id_hash, std::int64_t last_seen_at) {
    auto db = pool_.acquire();
    auto turn = write_turn();
    db->cached("UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?2) WHERE id_hash = ?1")
        ->bind(1, id_hash)
        .bind(2, last_seen_at)
        .run();
}

void SqliteAccountStore::delete_session(std::string_view id_hash) {
    auto db = pool_.acquire();
    auto turn = write_turn();
    db->cached("DELETE FROM sessions WHERE id_hash = ?1")->bind(1, id_hash).run();
}

std::size_t SqliteAccountStore::delete_sessions_of(std::int64_t account_id) {
    auto db = pool_.acquire();
    auto turn = write_turn();
    db->cached("DELETE FROM sessions WHERE account_id = ?1")->bind(1, account_id).run();
    return static_cast<std::size_t>(db->changes());
}

std::size_t SqliteAccountStore::purge_expired_sessions(std::int64_t now,
                                                       std::int64_t idle_seconds) {
    auto db = pool_.acquire();
    auto turn = write_turn();
    db->cached("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at + ?2 <= ?1")
        ->bind(1, now)
        .bind(2, idle_seconds)
        .run();
    return static_cast<std::size_t>(db->changes());
}

void SqliteAccountStore::ping() {
    auto db = pool_.acquire();
    auto s = db->cached("SELECT 1");
    s->step();
}

}  // namespace pkibridge::server
