#include "store/sqlite_account_store.hpp"

#include <ctime>

#include "store/account_rows.hpp"
#include "store/migrations.hpp"

namespace pkibridge::server {

using sqlite::Transaction;
using namespace account_rows;

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

void audit(sqlite::Database& db, std::optional<std::int64_t> account_id, std::int64_t at,
           std::string_view actor, std::string_view event, std::string_view detail) {
    db.cached(
          "INSERT INTO account_events(account_id, at, actor, event, detail) "
          "VALUES (?1, ?2, ?3, ?4, ?5)")
        ->bind_all(account_id, at, actor, event, detail)
        .run();
}

RegisteredCertificate insert_certificate(sqlite::Database& db, std::int64_t account_id,
                                         const CertificateRegistration& cert, std::int64_t now,
                                         std::string_view actor) {
    {
        auto s = db.cached(
            "INSERT INTO certificates(account_id, sha256, issuer, serial, subject, not_after, "
            "registered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        s->bind_all(account_id, cert.sha256, cert.issuer, cert.serial, cert.subject, cert.not_after,
                    now);
        insert_unique(*s, "certificate " + cert.sha256 + " is already registered");
    }
    RegisteredCertificate out;
    static_cast<CertificateRegistration&>(out) = cert;
    out.id = db.last_insert_rowid();
    out.account_id = account_id;
    out.registered_at = now;
    audit(db, account_id, now, actor, "certificate-registered", cert.sha256);
    return out;
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
    const std::int64_t now = unix_now();
    WriteTransaction db(*this);
    const std::int64_t id = insert_account(*db, p, now);
    audit(*db, id, now, actor, "account-created", account_status_name(p.status));
    if (first_certificate) insert_certificate(*db, id, *first_certificate, now, actor);
    db.commit();
    Account a;
    static_cast<AccountProfile&>(a) = p;
    a.id = id;
    a.created_at = a.updated_at = now;
    return a;
}

namespace {

// Of a query on a unique column: its one row, if any.
std::optional<Account> first(std::vector<Account> accounts) {
    if (accounts.empty()) return std::nullopt;
    return std::move(accounts.front());
}

}  // namespace

std::optional<Account> SqliteAccountStore::account_by_id(std::int64_t id) {
    auto db = pool_.acquire();
    return first(select_accounts(*db, PKIBRIDGE_ACCOUNT_SELECT "WHERE id = ?1", id));
}

std::optional<Account> SqliteAccountStore::account_by_national_id(std::string_view national_id) {
    auto db = pool_.acquire();
    return first(
        select_accounts(*db, PKIBRIDGE_ACCOUNT_SELECT "WHERE national_id = ?1", national_id));
}

std::vector<Account> SqliteAccountStore::list_accounts(std::size_t limit, std::size_t offset) {
    auto db = pool_.acquire();
    Transaction tx(*db, Transaction::Mode::Read);  // one consistent snapshot
    std::vector<Account> out =
        select_accounts(*db, PKIBRIDGE_ACCOUNT_SELECT "ORDER BY id LIMIT ?1 OFFSET ?2",
                        static_cast<std::int64_t>(limit), static_cast<std::int64_t>(offset));
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
    const std::int64_t now = unix_now();
    WriteTransaction db(*this);
    db->cached("UPDATE accounts SET status = ?2, updated_at = ?3 WHERE id = ?1")
        ->bind_all(id, account_status_name(status), now)
        .run();
    require_account_changed(*db, id);
    audit(*db, id, now, actor, "status-changed", account_status_name(status));
    db.commit();
}

RegisteredCertificate SqliteAccountStore::register_certificate(std::int64_t account_id,
                                                               const CertificateRegistration& cert,
                                                               std::string_view actor) {
    const std::int64_t now = unix_now();
    WriteTransaction db(*this);
    {
        auto s = db->cached("SELECT 1 FROM accounts WHERE id = ?1");
        s->bind(1, account_id);
        if (!s->step())
            throw StoreError(StoreError::Kind::NotFound,
                             "no account with id " + std::to_string(account_id));
    }
    RegisteredCertificate out = insert_certificate(*db, account_id, cert, now, actor);
    db.commit();
    return out;
}

std::optional<RegisteredCertificate> SqliteAccountStore::certificate_by_fingerprint(
    std::string_view sha256) {
    auto db = pool_.acquire();
    auto s = db->cached(PKIBRIDGE_CERT_SELECT "WHERE sha256 = ?1");
    s->bind(1, sha256);
    if (s->step()) return read_certificate(*s);
    return std::nullopt;
}

std::vector<RegisteredCertificate> SqliteAccountStore::certificates_of(std::int64_t account_id) {
    auto db = pool_.acquire();
    auto s = db->cached(PKIBRIDGE_CERT_SELECT "WHERE account_id = ?1 ORDER BY registered_at, id");
    s->bind(1, account_id);
    std::vector<RegisteredCertificate> out;
    while (s->step()) out.push_back(read_certificate(*s));
    return out;
}

std::vector<Account> SqliteAccountStore::unregistered_accounts_by_id_last4(std::string_view last4) {
    auto db = pool_.acquire();
    return select_accounts(*db,
                           PKIBRIDGE_ACCOUNT_SELECT
                           "WHERE id_last4 = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM certificates c WHERE c.account_id = accounts.id) "
                           "ORDER BY id LIMIT 100",
                           last4);
}

void SqliteAccountStore::record_login(const LoginEvent& e, const SessionRecord* session) {
    WriteTransaction db(*this);
    db->cached(
          "INSERT INTO login_history(account_id, at, method, certificate_sha256, "
          "certificate_subject, ip, user_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        ->bind_all(e.account_id, e.at, e.method, e.certificate_sha256, e.certificate_subject, e.ip,
                   e.user_agent)
        .run();
    // Certificate and password logins are shown separately on the home page.
    db->cached(
          "UPDATE accounts SET last_login_at = ?2, "
          "last_certificate_login_at = CASE WHEN ?3 = 'certificate' THEN ?2 "
          "ELSE last_certificate_login_at END, "
          "last_password_login_at = CASE WHEN ?3 = 'certificate' THEN last_password_login_at "
          "ELSE ?2 END WHERE id = ?1")
        ->bind_all(e.account_id, e.at, e.method)
        .run();
    if (session) {
        db->cached(
              "INSERT INTO sessions(id_hash, account_id, method, certificate_sha256, ip, "
              "created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            ->bind_all(session->id_hash, session->account_id, session->method,
                       session->certificate_sha256, session->ip, session->created_at,
                       session->last_seen_at, session->expires_at)
            .run();
    }
    db.commit();
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
    write("UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?2) WHERE id_hash = ?1", id_hash,
          last_seen_at);
}

void SqliteAccountStore::delete_session(std::string_view id_hash) {
    write("DELETE FROM sessions WHERE id_hash = ?1", id_hash);
}

std::size_t SqliteAccountStore::delete_sessions_of(std::int64_t account_id,
                                                   std::string_view keep_id_hash) {
    // An empty view binds as NULL, and "IS NOT NULL" keeps no session.
    return static_cast<std::size_t>(
        write("DELETE FROM sessions WHERE account_id = ?1 AND id_hash IS NOT ?2", account_id,
              keep_id_hash));
}

std::size_t SqliteAccountStore::purge_expired_sessions(std::int64_t now,
                                                       std::int64_t idle_seconds) {
    return static_cast<std::size_t>(
        write("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at + ?2 <= ?1", now,
              idle_seconds));
}

void SqliteAccountStore::ping() {
    auto db = pool_.acquire();
    auto s = db->cached("SELECT 1");
    s->step();
}

}  // namespace pkibridge::server
