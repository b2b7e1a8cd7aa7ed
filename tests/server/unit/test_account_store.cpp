#include <catch2/catch.hpp>

#include "store/sqlite_account_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using pkibridge::testing::TempDir;

namespace {
AccountProfile person(const std::string& id, const std::string& name) {
    AccountProfile p;
    p.national_id = id;
    p.name = name;
    p.status = AccountStatus::Active;
    return p;
}
CertificateRegistration cert(const std::string& sha, const std::string& serial) {
    return {sha, "CN=Test MOICA", serial, "CN=someone", 2000000000};
}
}  // namespace

TEST_CASE("accounts: create, read back, unique national ID", "[store]") {
    TempDir dir;
    SqliteAccountStore store(dir / "s.db", SqliteStoreOptions{});
    AccountProfile p = person("A123456789", "王小明");
    p.birth_date = "1980-06-12";
    p.agency = "經濟部商業發展署";
    p.unit = "資訊組";
    p.agency_oid = "2.16.886.101.20003";
    p.jurisdiction_oid = "2.16.886.101.20003.20065";
    p.email = "ming@example.gov.tw";
    p.phone = "02-1234-5678";
    p.roles = {"csm_user", "fms_user"};
    Account a = store.create_account(p, "test");
    CHECK(a.id > 0);
    auto back = store.account_by_national_id("A123456789");
    REQUIRE(back);
    CHECK(back->name == "王小明");
    CHECK(back->birth_date == std::optional<std::string>("1980-06-12"));
    CHECK(back->agency_oid == p.agency_oid);
    CHECK(back->jurisdiction_oid == p.jurisdiction_oid);
    CHECK(back->roles == std::vector<std::string>{"csm_user", "fms_user"});
    CHECK(back->status == AccountStatus::Active);
    CHECK(store.account_by_id(a.id)->national_id == "A123456789");
    CHECK_FALSE(store.account_by_national_id("B123456789"));
    try {
        store.create_account(person("A123456789", "Someone Else"), "test");
        FAIL("expected a conflict");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Conflict);
    }
    CHECK(store.count_accounts() == 1);
}

TEST_CASE("accounts: status changes are stored", "[store]") {
    TempDir dir;
    SqliteAccountStore store(dir / "s.db", SqliteStoreOptions{});
    Account a = store.create_account(person("A123456789", "A"), "test");
    store.set_account_status(a.id, AccountStatus::Disabled, "admin");
    CHECK(store.account_by_id(a.id)->status == AccountStatus::Disabled);
    CHECK_THROWS_AS(store.set_account_status(9999, AccountStatus::Active, "admin"), StoreError);
}

TEST_CASE("certificates: several per account, each registered once", "[store]") {
    TempDir dir;
    SqliteAccountStore store(dir / "s.db", SqliteStoreOptions{});
    Account a = store.create_account(person("A123456789", "A"), "test");
    Account b = store.create_account(person("B223456789", "B"), "test");
    store.register_certificate(a.id, cert("aa", "01"), "test");
    store.register_certificate(a.id, cert("bb", "02"), "test");
    CHECK(store.certificates_of(a.id).size() == 2);
    auto found = store.certificate_by_fingerprint("bb");
    REQUIRE(found);
    CHECK(found->account_id == a.id);
    CHECK(found->serial == "02");
    CHECK_FALSE(store.certificate_by_fingerprint("cc"));
    // The same certificate cannot belong to two accounts.
    try {
        store.register_certificate(b.id, cert("aa", "01"), "test");
        FAIL("expected a conflict");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Conflict);
    }
    try {
        store.register_certificate(424242, cert("dd", "04"), "test");
        FAIL("expected not found");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::NotFound);
    }
}

TEST_CASE("accounts waiting for certificate registration, by ID last four", "[store]") {
    TempDir dir;
    SqliteAccountStore store(dir / "s.db", SqliteStoreOptions{});
    Account a = store.create_account(person("A123456789", "A"), "test");
    store.create_account(person("B223456789", "B"), "test");
    store.create_account(person("C123451111", "C"), "test");
    auto waiting = store.unregistered_accounts_by_id_last4("6789");
    CHECK(waiting.size() == 2);
    store.register_certificate(a.id, cert("aa", "01"), "test");
    waiting = store.unregistered_accounts_by_id_last4("6789");
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].national_id == "B223456789");
    // Parameters are bound, never spliced: SQL in a value is just a value.
    CHECK(store.unregistered_accounts_by_id_last4("' OR 1=1 --").empty());
}

TEST_CASE("login history newest first", "[store]") {
    TempDir dir;
    SqliteAccountStore store(dir / "s.db", SqliteStoreOptions{});
    Account a = store.create_account(person("A123456789", "A"), "test");
    for (int i = 0; i < 7; ++i) {
        LoginEvent e;
        e.account_id = a.id;
        e.at = 1000 + i;
        e.method = "certificate";
        e.certificate_sha256 = "aa";
        e.ip = "127.0.0.1";
        store.record_login(e, nullptr);
    }
    auto recent = store.recent_logins(a.id, 5);
    REQUIRE(recent.size() == 5);
    CHECK(recent[0].at == 1006);
    CHECK(recent[4].at == 1002);
    CHECK(recent[0].ip == std::optional<std::string>("127.0.0.1"));
    CHECK(store.account_by_id(a.id)->last_login_at == std::optional<std::int64_t>(1006));
    auto listed = store.list_accounts(10, 0);
    REQUIRE(listed.size() == 1);
}
