// The administration's SQLite side with a real database file: the append-only audit log,
// account changes committing with their audit row, the inactivity query and the
// exactly-once claim of certificate expiry notices.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "services/admin/admin_service.hpp"
#include "store/portal/admin_store.hpp"
#include "store/portal/audit_store.hpp"
#include "store/sqlite_account_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using pkibridge::testing::TempDir;

namespace {

constexpr std::int64_t kDay = 86400;

AccountProfile profile(const std::string& id) {
    AccountProfile p;
    p.national_id = id;
    p.name = "測試 " + id;
    p.birth_date = "1980-06-12";
    p.agency_oid = "2.16.886.101.20003";
    p.email = id + "@agency.gov.tw";
    p.roles = {"user"};
    return p;
}

AuditEntry audit_of(const std::string& action) {
    AuditEntry e;
    e.actor = "account:1";
    e.action = action;
    e.after = {{"x", 1}};
    return e;
}

// Runs SQL through the C API directly, as an attacker with file access would; returns the
// error message or "" on success.
std::string raw_exec(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* h = nullptr;
    sqlite3_open(db.c_str(), &h);
    char* err = nullptr;
    sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    std::string out = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(h);
    return out;
}

}  // namespace

TEST_CASE("audit log: append, list newest first, refuse update and delete", "[portal-admin]") {
    TempDir dir;
    SqliteAccountStore accounts(dir / "a.db", SqliteStoreOptions{});
    ManualClock clock;
    SqliteAuditLog log(accounts, clock);
    auto first = log.append(audit_of("account.create"));
    CHECK(first.id > 0);
    CHECK(first.at == clock.now_unix());
    clock.advance(std::chrono::seconds(10));
    AuditEntry second = audit_of("account.unlock");
    second.account_id = 42;
    second.before = {{"lockedUntil", 5}};
    second.ip = "127.0.0.1";
    log.append(second);
    auto all = log.list({});
    REQUIRE(all.size() == 2);
    CHECK(all[0].action == "account.unlock");
    CHECK(all[0].before["lockedUntil"] == 5);
    CHECK(all[0].ip == std::optional<std::string>("127.0.0.1"));
    CHECK(all[1].before.is_null());
    CHECK(log.list({42, std::nullopt, std::nullopt, 10, 0}).size() == 1);

    CHECK_THAT(raw_exec(dir / "a.db", "UPDATE audit_log SET actor = 'x'"),
               Catch::Contains("append-only"));
    CHECK_THAT(raw_exec(dir / "a.db", "DELETE FROM audit_log"), Catch::Contains("append-only"));
    CHECK(log.list({}).size() == 2);
}

TEST_CASE("admin store: create, change and delete commit with their audit rows", "[portal-admin]") {
    TempDir dir;
    SqliteAccountStore accounts(dir / "a.db", SqliteStoreOptions{});
    ManualClock clock;
    SqliteAuditLog log(accounts, clock);
    SqliteAdminStore store(accounts);
    const std::int64_t now = clock.now_unix();

    auto a = store.create(profile("A123456789"), {"csm_user", "nbms_user"}, now, "account:1",
                          audit_of("account.create"));
    CHECK(a.account.status == AccountStatus::Pending);
    CHECK(a.identity_types == std::vector<std::string>{"csm_user", "nbms_user"});
    CHECK(a.account.created_at == now);
    CHECK_THROWS_AS(
        store.create(profile("A123456789"), {}, now, "account:1", audit_of("account.create")),
        StoreError);

    ProfileChange c;
    c.unit = "資訊組";
    c.phone = "";  // clears
    c.national_id = "B123456780";
    store.update_profile(a.account.id, c, now + 1, audit_of("account.update"));
    auto b = store.get(a.account.id);
    REQUIRE(b);
    CHECK(b->account.unit == std::optional<std::string>("資訊組"));
    CHECK(b->account.national_id == "B123456780");
    CHECK(accounts.unregistered_accounts_by_id_last4("6780").size() == 1);  // id_last4 follows

    store.set_identity_types(a.account.id, {"fms_user"}, now + 2, "account:1",
                             audit_of("account.identity-types"));
    CHECK(store.identity_types_of(a.account.id) == std::vector<std::string>{"fms_user"});
    store.set_status(a.account.id, AccountStatus::Disabled, std::string("left"), now + 3,
                     audit_of("account.disable"));
    CHECK(store.get(a.account.id)->account.status_reason == std::optional<std::string>("left"));

    AuditEntry del = audit_of("account.delete");
    del.at = now + 4;
    del.account_id = a.account.id;
    store.remove(a.account.id, del);
    CHECK_FALSE(store.get(a.account.id));
    CHECK_THROWS_AS(store.remove(a.account.id, del), StoreError);
    // Rows outlive the account; one per change, none for the refused duplicate.
    auto rows = log.list({});
    REQUIRE(rows.size() == 5);
    CHECK(rows.front().action == "account.delete");
    CHECK(rows.back().action == "account.create");
    CHECK(rows.back().account_id == a.account.id);  // filled in by create
}

TEST_CASE("admin store: inactivity counts logins, activation and re-enabling", "[portal-admin]") {
    TempDir dir;
    SqliteAccountStore accounts(dir / "a.db", SqliteStoreOptions{});
    SqliteAdminStore store(accounts);
    const std::int64_t t0 = 1'700'000'000;
    auto p = profile("A123456789");
    p.status = AccountStatus::Active;
    auto idle = store.create(p, {}, t0, "cli", audit_of("account.create"));
    p.national_id = "B123456780";
    auto busy = store.create(p, {}, t0, "cli", audit_of("account.create"));
    accounts.record_login({busy.account.id, t0 + 80 * kDay, "certificate", {}, {}, {}, {}},
                          nullptr);
    p.national_id = "F223454321";
    p.status = AccountStatus::Pending;
    store.create(p, {}, t0, "cli", audit_of("account.create"));  // pending: never disabled

    auto found = store.inactive_since(t0 + 10 * kDay);
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == idle.account.id);

    AuditEntry enable = audit_of("account.enable");
    enable.account_id = idle.account.id;
    store.set_status(idle.account.id, AccountStatus::Active, std::nullopt, t0 + 20 * kDay, enable);
    CHECK(store.inactive_since(t0 + 10 * kDay).empty());
    CHECK(store.inactive_since(t0 + 81 * kDay).size() == 2);
}

TEST_CASE("admin store: expiry notices are claimed once", "[portal-admin]") {
    TempDir dir;
    SqliteAccountStore accounts(dir / "a.db", SqliteStoreOptions{});
    SqliteAdminStore store(accounts);
    const std::int64_t now = 1'700'000'000;
    auto p = profile("A123456789");
    p.status = AccountStatus::Active;
    auto a = store.create(p, {}, now, "cli", audit_of("account.create"));
    auto soon = accounts.register_certificate(
        a.account.id, {"aa", "CN=MOICA", "01", "CN=holder", now + 20 * kDay}, "cli");
    accounts.register_certificate(a.account.id,
                                  {"bb", "CN=MOICA", "02", "CN=holder", now + 400 * kDay}, "cli");

    auto exp = store.expiring_certificates(now, 45 * kDay);
    REQUIRE(exp.size() == 1);
    CHECK(exp[0].certificate.id == soon.id);
    CHECK(exp[0].account.email == p.email);
    CHECK(exp[0].noticed_days.empty());

    CHECK(store.claim_expiry_notices(soon.id, {30, 45}, now));
    CHECK_FALSE(store.claim_expiry_notices(soon.id, {30}, now));
    CHECK_FALSE(store.claim_expiry_notices(soon.id, {15, 30}, now));  // all or nothing
    CHECK(store.expiring_certificates(now, 45 * kDay)[0].noticed_days.size() == 2);
    store.release_expiry_notices(soon.id, {30, 45});
    CHECK(store.claim_expiry_notices(soon.id, {15, 30, 45}, now));
}
