#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <thread>

#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_account_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using pkibridge::sqlite::Database;
using pkibridge::sqlite::OpenOptions;
using pkibridge::testing::TempDir;

namespace {
bool table_exists(Database& db, const char* name) {
    auto s = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    s.bind(1, name);
    return s.step();
}
}  // namespace

TEST_CASE("a fresh database is migrated to the latest schema in WAL mode", "[migrations]") {
    TempDir dir;
    auto db = Database::open(dir / "a.db", OpenOptions{});
    CHECK(schema_version(db) == 0);
    CHECK(migrate(db) == latest_schema_version());
    CHECK(schema_version(db) == latest_schema_version());
    for (const char* t : {"accounts", "account_roles", "certificates", "login_history", "sessions",
                          "account_events", "schema_migrations"}) {
        INFO(t);
        CHECK(table_exists(db, t));
    }
    auto s = db.prepare("SELECT COUNT(*) FROM schema_migrations");
    s.step();
    CHECK(s.int64(0) == latest_schema_version());
    auto mode = db.prepare("PRAGMA journal_mode");
    mode.step();
    CHECK(mode.text(0) == "wal");
    // Running again changes nothing.
    CHECK(migrate(db) == latest_schema_version());
    auto again = db.prepare("SELECT COUNT(*) FROM schema_migrations");
    again.step();
    CHECK(again.int64(0) == latest_schema_version());
}

TEST_CASE("an old database keeps its data through later migrations", "[migrations]") {
    TempDir dir;
    auto path = dir / "old.db";
    {
        auto db = Database::open(path, OpenOptions{});
        CHECK(migrate(db, 1) == 1);
        CHECK_FALSE(table_exists(db, "sessions"));
        db.exec(
            "INSERT INTO accounts(national_id, id_last4, name, status, created_at, updated_at) "
            "VALUES ('A123456789', '6789', 'Old Timer', 'active', 1, 1)");
    }
    SqliteAccountStore store(path, SqliteStoreOptions{});
    auto a = store.account_by_national_id("A123456789");
    REQUIRE(a);
    CHECK(a->name == "Old Timer");
    auto db = Database::open(path, OpenOptions{});
    CHECK(schema_version(db) == latest_schema_version());
    CHECK(table_exists(db, "sessions"));
}

TEST_CASE("a database from a newer server is refused", "[migrations]") {
    TempDir dir;
    auto path = dir / "new.db";
    {
        auto db = Database::open(path, OpenOptions{});
        migrate(db);
        db.exec(("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1)).c_str());
    }
    auto db = Database::open(path, OpenOptions{});
    try {
        migrate(db);
        FAIL("expected SchemaTooNew");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::SchemaTooNew);
    }
    CHECK_THROWS_AS(SqliteAccountStore(path, SqliteStoreOptions{}), StoreError);
}

TEST_CASE("two openers migrating at once apply each migration once", "[migrations]") {
    TempDir dir;
    auto path = dir / "race.db";
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            try {
                auto db = Database::open(path, OpenOptions{});
                migrate(db);
            } catch (...) {
                ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    auto db = Database::open(path, OpenOptions{});
    auto s = db.prepare("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations");
    s.step();
    CHECK(s.int64(0) == latest_schema_version());
    CHECK(s.int64(1) == latest_schema_version());
}

TEST_CASE("a file that is not a database is reported, not crashed on", "[migrations]") {
    TempDir dir;
    auto path = dir / "junk.db";
    {
        std::ofstream out(path);
        out << std::string(8192, 'x');
    }
    CHECK_THROWS_AS(SqliteAccountStore(path, SqliteStoreOptions{}), StoreError);
}
