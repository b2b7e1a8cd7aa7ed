#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "services/session_service.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_account_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using namespace std::chrono_literals;
using pkibridge::testing::TempDir;

namespace {
struct Fixture {
    TempDir dir;
    SqliteAccountStore store{dir / "s.db", SqliteStoreOptions{}};
    ManualClock clock;
    SessionService sessions{store, clock, SessionPolicy{600, 3600, 60}};
    std::int64_t account_id = 0;

    Fixture() {
        AccountProfile p;
        p.national_id = "A123456789";
        p.name = "A";
        p.status = AccountStatus::Active;
        account_id = store.create_account(p, "test").id;
    }
    NewSession login() {
        LoginEvent e;
        e.account_id = account_id;
        e.at = clock.now_unix();
        e.method = "certificate";
        e.certificate_sha256 = "aa";
        return sessions.create_with_login(e);
    }
};
}  // namespace

TEST_CASE("a session resolves by its cookie value; only its hash is stored", "[session]") {
    Fixture f;
    NewSession s = f.login();
    CHECK(s.id.size() == 43);
    CHECK(s.record.id_hash == sha256_hex(s.id));
    CHECK_FALSE(f.store.session_by_hash(s.id));  // the raw id is not a key
    auto r = f.sessions.resolve(s.id);
    REQUIRE(r);
    CHECK(r->account_id == f.account_id);
    CHECK(r->method == "certificate");
    CHECK(f.store.recent_logins(f.account_id, 5).size() == 1);
    CHECK_FALSE(f.sessions.resolve("not-a-session-id"));
    CHECK_FALSE(f.sessions.resolve(std::string(43, 'A')));
}

TEST_CASE("sessions end after the idle timeout", "[session]") {
    Fixture f;
    NewSession s = f.login();
    f.clock.advance(599s);
    REQUIRE(f.sessions.resolve(s.id));  // activity moves the idle deadline
    f.clock.advance(599s);
    REQUIRE(f.sessions.resolve(s.id));
    f.clock.advance(600s);
    CHECK_FALSE(f.sessions.resolve(s.id));
    CHECK_FALSE(f.store.session_by_hash(s.record.id_hash));  // deleted on discovery
}

TEST_CASE("sessions end at the absolute lifetime even when active", "[session]") {
    Fixture f;
    NewSession s = f.login();
    for (int i = 0; i < 6; ++i) {
        f.clock.advance(590s);
        REQUIRE(f.sessions.resolve(s.id));
    }
    f.clock.advance(100s);  // 3640 s after creation
    CHECK_FALSE(f.sessions.resolve(s.id));
}

TEST_CASE("logout destroys the session; purge removes expired ones", "[session]") {
    Fixture f;
    NewSession a = f.login();
    NewSession b = f.login();
    f.sessions.destroy(a.id);
    CHECK_FALSE(f.sessions.resolve(a.id));
    CHECK(f.sessions.resolve(b.id));
    f.clock.advance(700s);
    CHECK(f.sessions.purge_expired() == 1);
    CHECK_FALSE(f.store.session_by_hash(b.record.id_hash));
}
