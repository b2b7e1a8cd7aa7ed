#include "store/migrations.hpp"

#include <string>

namespace pkibridge::server {

namespace {

// Never edit a released migration: add a new one.
constexpr Migration kMigrations[] = {
    {1, "accounts, roles, certificates, login history",
     R"sql(
CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  applied_at  INTEGER NOT NULL
);
CREATE TABLE accounts (
  id                INTEGER PRIMARY KEY,
  national_id       TEXT NOT NULL UNIQUE,
  id_last4          TEXT NOT NULL,
  name              TEXT NOT NULL,
  birth_date        TEXT,
  agency            TEXT,
  unit              TEXT,
  agency_oid        TEXT,
  jurisdiction_oid  TEXT,
  email             TEXT,
  phone             TEXT,
  status            TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'active', 'disabled', 'locked')),
  locked_until      INTEGER,
  -- Password login for the first activation and the one-day password (later issue):
  -- an Argon2id hash, when it was set, until when it is valid, and failed attempts.
  password_hash            TEXT,
  password_set_at          INTEGER,
  password_valid_until     INTEGER,
  password_must_change     INTEGER NOT NULL DEFAULT 0,
  failed_password_attempts INTEGER NOT NULL DEFAULT 0,
  last_login_at     INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX accounts_id_last4 ON accounts(id_last4);
CREATE TABLE account_roles (
  account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role        TEXT NOT NULL,
  PRIMARY KEY (account_id, role)
) WITHOUT ROWID;
CREATE TABLE certificates (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  sha256         TEXT NOT NULL UNIQUE,
  issuer         TEXT NOT NULL,
  serial         TEXT NOT NULL,
  subject        TEXT NOT NULL,
  not_after      INTEGER NOT NULL,
  registered_at  INTEGER NOT NULL,
  disabled_at    INTEGER,
  UNIQUE (issuer, serial)
);
CREATE INDEX certificates_account ON certificates(account_id);
CREATE TABLE login_history (
  id                  INTEGER PRIMARY KEY,
  account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  at                  INTEGER NOT NULL,
  method              TEXT NOT NULL,
  certificate_sha256  TEXT,
  certificate_subject TEXT,
  ip                  TEXT,
  user_agent          TEXT
);
CREATE INDEX login_history_account_at ON login_history(account_id, at DESC, id DESC);
)sql"},
    {2, "server-side sessions",
     R"sql(
CREATE TABLE sessions (
  id_hash             TEXT PRIMARY KEY,
  account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  method              TEXT NOT NULL,
  certificate_sha256  TEXT,
  ip                  TEXT,
  created_at          INTEGER NOT NULL,
  last_seen_at        INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expires ON sessions(expires_at);
)sql"},
    {3, "account audit trail",
     R"sql(
CREATE TABLE account_events (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  event       TEXT NOT NULL,
  detail      TEXT
);
CREATE INDEX account_events_account_at ON account_events(account_id, at);
)sql"},
    {4, "portal accounts: identity types, passwords, TOTP, one-day passwords, audit log, notices",
     R"sql(
ALTER TABLE accounts ADD COLUMN previous_password_hash TEXT;
-- Asia/Taipei calendar day (YYYY-MM-DD) on which the initial password works.
ALTER TABLE accounts ADD COLUMN initial_password_day TEXT;
ALTER TABLE accounts ADD COLUMN activated_at INTEGER;
ALTER TABLE accounts ADD COLUMN last_password_login_at INTEGER;
ALTER TABLE accounts ADD COLUMN last_certificate_login_at INTEGER;
ALTER TABLE accounts ADD COLUMN status_reason TEXT;
CREATE TABLE account_identity_types (
  account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  identity_type  TEXT NOT NULL,
  granted_at     INTEGER NOT NULL,
  granted_by     TEXT NOT NULL,
  PRIMARY KEY (account_id, identity_type)
) WITHOUT ROWID;
CREATE TABLE one_day_passwords (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  day         TEXT NOT NULL,
  code_hash   TEXT NOT NULL,
  reason      TEXT NOT NULL,
  enabled_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  used_at     INTEGER
);
CREATE INDEX one_day_passwords_account ON one_day_passwords(account_id, day);
CREATE TABLE totp_secrets (
  account_id      INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  version         INTEGER NOT NULL,
  secret          BLOB NOT NULL,
  created_at      INTEGER NOT NULL,
  last_used_step  INTEGER
);
-- Append-only: no FK (rows outlive deleted accounts) and triggers refuse UPDATE/DELETE.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  account_id   INTEGER,
  national_id  TEXT,
  before_json  TEXT,
  after_json   TEXT,
  ip           TEXT
);
CREATE INDEX audit_log_account_at ON audit_log(account_id, at);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE expiry_notices (
  certificate_id  INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
  days_before     INTEGER NOT NULL,
  sent_at         INTEGER NOT NULL,
  PRIMARY KEY (certificate_id, days_before)
) WITHOUT ROWID;
)sql"},
};

}  // namespace

std::span<const Migration> schema_migrations() {
    return kMigrations;
}

int latest_schema_version() {
    return kMigrations[std::size(kMigrations) - 1].version;
}

int schema_version(sqlite::Database& db) {
    auto stmt = db.prepare("PRAGMA user_version");
    stmt.step();
    return static_cast<int>(stmt.int64(0));
}

int migrate(sqlite::Database& db, int target) {
    const int latest = latest_schema_version();
    if (target < 0 || target > latest) target = latest;
    {
        // Cheap read first: nothing to do on every start but the first.
        int current = schema_version(db);
        if (current > latest) {
            throw StoreError(StoreError::Kind::SchemaTooNew,
                             "database schema version " + std::to_string(current) +
                                 " is newer than this server supports (" + std::to_string(latest) +
                                 ")");
        }
        if (current >= target) return current;
    }
    sqlite::Transaction tx(db, sqlite::Transaction::Mode::Write);
    int current = schema_version(db);  // again, under the write lock
    if (current > latest) {
        throw StoreError(StoreError::Kind::SchemaTooNew, "database schema version " +
                                                             std::to_string(current) +
                                                             " is newer than this server supports");
    }
    for (const auto& m : kMigrations) {
        if (m.version <= current || m.version > target) continue;
        db.exec(std::string(m.sql).c_str());
        db.cached(
              "INSERT INTO schema_migrations(version, name, applied_at) "
              "VALUES (?1, ?2, CAST(strftime('%s','now') AS INTEGER))")
            ->bind(1, m.version)
            .bind(2, m.name)
            .run();
        db.exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
        current = m.version;
    }
    tx.commit();
    return current;
}

}  // namespace pkibridge::server
