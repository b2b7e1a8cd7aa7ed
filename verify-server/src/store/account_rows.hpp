// Internal to the SQLite stores (sqlite_account_store.cpp and store/portal/): the accounts,
// roles and certificates rows read and written in one place, so the column lists, the row
// readers and the insert cannot drift apart between the stores sharing the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/account_store.hpp"
#include "store/sqlite.hpp"

// Column lists as macros: statements are cached string literals ("SELECT ... " "WHERE ...").
// read_account / read_certificate read exactly these columns, in this order.
#define PKIBRIDGE_ACCOUNT_SELECT                                                             \
    "SELECT id, national_id, name, birth_date, agency, unit, agency_oid, jurisdiction_oid, " \
    "email, phone, status, locked_until, last_login_at, created_at, updated_at, "            \
    "password_must_change, last_password_login_at, last_certificate_login_at, "              \
    "initial_password_day, activated_at, status_reason, failed_password_attempts, "          \
    "password_hash IS NOT NULL FROM accounts "

#define PKIBRIDGE_CERT_SELECT                                                            \
    "SELECT id, account_id, sha256, issuer, serial, subject, not_after, registered_at, " \
    "disabled_at FROM certificates "

namespace pkibridge::server::account_rows {

// A row of PKIBRIDGE_ACCOUNT_SELECT (roles not included: load_roles).
Account read_account(const sqlite::Statement& s);
void load_roles(sqlite::Database& db, Account& account);
// The accounts a PKIBRIDGE_ACCOUNT_SELECT statement returns (?1, ?2, ... bound to the
// values in order), with their roles.
template <class... Values>
std::vector<Account> select_accounts(sqlite::Database& db, const char* sql,
                                     const Values&... values) {
    std::vector<Account> out;
    {
        auto s = db.cached(sql);
        s->bind_all(values...);
        while (s->step()) out.push_back(read_account(*s));
    }
    for (auto& a : out) load_roles(db, a);
    return out;
}

// A row of PKIBRIDGE_CERT_SELECT.
RegisteredCertificate read_certificate(const sqlite::Statement& s);

// Inserts the accounts row (created_at = updated_at = now) and its roles; returns the id.
// Throws StoreError(Conflict) when the national ID exists.
std::int64_t insert_account(sqlite::Database& db, const AccountProfile& profile, std::int64_t now);
void insert_roles(sqlite::Database& db, std::int64_t account_id,
                  const std::vector<std::string>& roles);

// Runs an INSERT; a UNIQUE violation becomes StoreError(Conflict, message).
void insert_unique(sqlite::Statement& insert, const std::string& message);

// After an UPDATE/DELETE of one account: StoreError(NotFound) when it changed no row.
void require_account_changed(sqlite::Database& db, std::int64_t account_id);

}  // namespace pkibridge::server::account_rows
