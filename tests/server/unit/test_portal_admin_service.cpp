// AdminService with a real database, the auth part's real CredentialService and a manual
// clock: role and scope checks inside the service, field validation, the initial password
// day, re-open, and audit rows without secrets.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "services/admin/admin_errors.hpp"
#include "services/admin/admin_service.hpp"
#include "services/auth/credential_service.hpp"
#include "services/portal_services.hpp"
#include "store/portal/audit_store.hpp"
#include "store/portal/credential_store.hpp"
#include "store/sqlite_account_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using pkibridge::testing::TempDir;

namespace {

const char* kCatalogue =
    R"({"systems":[{"systemCode":"DC100","category":"公司登記與管理類","systemId":"csm",
        "subsystems":[{"name":"使用者","identityType":"csm_user"},
                      {"name":"管理者","identityType":"csm_admin"}]}]})";

struct World {
    TempDir dir;
    SqliteAccountStore accounts{dir / "p.db", SqliteStoreOptions{}};
    // 2026-03-01 10:00 Taipei.
    ManualClock clock{TimePoint(std::chrono::seconds(1772330400))};
    PortalConfig config;
    PortalServices portal{PortalCalendar()};
    SqliteAuditLog audit{accounts, clock};
    CredentialStore credential_store{accounts};
    CredentialService credentials{credential_store, config, clock, portal};
    Catalogue catalogue = Catalogue::parse(kCatalogue, "test");
    SqliteAdminStore store{accounts};
    AdminService service{store, accounts, credentials, audit, catalogue, clock, PortalCalendar()};

    World() { portal.audit = &audit; }

    PortalUser user_with(const std::string& id, std::vector<std::string> roles,
                         std::optional<std::string> agency_oid) {
        AccountProfile p;
        p.national_id = id;
        p.name = "Admin " + id;
        p.roles = std::move(roles);
        p.agency_oid = std::move(agency_oid);
        p.status = AccountStatus::Active;
        Account a = accounts.create_account(p, "test");
        return PortalUser{*accounts.account_by_id(a.id), {}, false};
    }
};

NewAccount newcomer(const std::string& id, const std::string& agency_oid) {
    NewAccount n;
    n.profile.national_id = id;
    n.profile.name = "新人";
    n.profile.birth_date = "1990-06-12";
    n.profile.agency_oid = agency_oid;
    n.profile.email = "n@agency.gov.tw";
    n.identity_types = {"csm_user"};
    return n;
}

template <class F>
std::string code_of(F&& f) {
    try {
        f();
    } catch (const ServiceError& e) {
        return e.code();
    }
    return "";
}

}  // namespace

TEST_CASE("admin service: create sets today's initial password and audits it", "[portal-admin]") {
    World w;
    auto super = w.user_with("A123456789", {"super-admin"}, std::nullopt);
    auto r = w.service.create(super, newcomer("B123456780", "2.16.886.101.20003"), "10.0.0.1");
    CHECK(r.valid_on == "2026-03-01");
    CHECK(r.account.account.status == AccountStatus::Pending);
    CHECK(r.account.account.initial_password_day == std::optional<std::string>("2026-03-01"));
    CHECK(r.account.account.password_must_change);
    CHECK(r.account.account.has_password);
    CHECK(r.account.account.roles == std::vector<std::string>{"user"});

    auto rows = w.audit.list({r.account.account.id, std::nullopt, std::nullopt, 10, 0});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].action == "account.create");
    CHECK(rows[0].actor == super.actor());
    CHECK(rows[0].ip == std::optional<std::string>("10.0.0.1"));
    CHECK(rows[0].after["identityTypes"] == nlohmann::json::array({"csm_user"}));
    const std::string dumped = rows[0].after.dump();
    CHECK(dumped.find("MmDd06120") == std::string::npos);  // the initial password
    CHECK(dumped.find("argon2") == std::string::npos);

    // The next day the administrator re-opens it for that day.
    w.clock.advance(std::chrono::hours(24));
    auto re = w.service.reopen(super, r.account.account.id, "");
    CHECK(re.valid_on == "2026-03-02");
    CHECK(re.account.account.initial_password_day == std::optional<std::string>("2026-03-02"));
}

TEST_CASE("admin service: field validation names the field", "[portal-admin]") {
    World w;
    auto super = w.user_with("A123456789", {"super-admin"}, std::nullopt);
    auto field_of = [&](NewAccount n) {
        try {
            w.service.create(super, std::move(n), "");
        } catch (const FieldError& e) {
            return e.code() + ":" + e.field();
        }
        return std::string("accepted");
    };
    auto n = newcomer("B123456781", "2.16.886.101.20003");
    CHECK(field_of(n) == "invalid-national-id:nationalId");
    n = newcomer("B123456780", "2.16.886.101.20003");
    n.profile.birth_date = "2026-03-02";  // tomorrow
    CHECK(field_of(n) == "invalid-birth-date:birthDate");
    n = newcomer("B123456780", "2.16.886.101.20003");
    n.identity_types = {"csm_root"};
    CHECK(field_of(n) == "unknown-identity-type:identityTypes");
    n = newcomer("B123456780", "2.16.886.101.20003");
    n.profile.email.reset();
    CHECK(field_of(n) == "field-required:email");
    n = newcomer("B123456780", "2.16.886.101.20003");
    n.profile.phone = "0912<script>";
    CHECK(field_of(n) == "invalid-phone:phone");
    CHECK(field_of(newcomer("B123456780", "2.16.886.101.20003")) == "accepted");
    CHECK(field_of(newcomer("B123456780", "2.16.886.101.20003")) == "account-exists:nationalId");
}

TEST_CASE("admin service: registration administrators stay in their scope", "[portal-admin]") {
    World w;
    auto super = w.user_with("A123456789", {"super-admin"}, std::nullopt);
    auto reg = w.user_with("C123456781", {"registration-admin"}, "2.16.886.101.20003");
    auto mine = w.service.create(super, newcomer("B123456780", "2.16.886.101.20003.1"), "");
    auto theirs = w.service.create(super, newcomer("D123456782", "2.16.886.101.200031"), "");
    const auto mine_id = mine.account.account.id;
    const auto their_id = theirs.account.account.id;

    CHECK(w.service.list(reg, {}, 0, 50).total == 1);
    CHECK(w.service.list(super, {}, 0, 50).total == 4);
    CHECK(w.service.review(reg).size() == 1);
    CHECK_NOTHROW(w.service.get(reg, mine_id));
    CHECK(code_of([&] { w.service.get(reg, their_id); }) == "out-of-scope");
    CHECK(code_of([&] { w.service.get(reg, 99999); }) == "out-of-scope");
    CHECK(code_of([&] { w.service.get(super, 99999); }) == "account-not-found");
    CHECK(code_of([&] { w.service.unlock(reg, their_id, ""); }) == "out-of-scope");
    CHECK(code_of([&] { w.service.set_identity_types(reg, their_id, {}, ""); }) == "out-of-scope");
    CHECK(code_of([&] { w.service.set_roles(reg, mine_id, {"registration-admin"}, ""); }) ==
          "role-required");
    ProfileChange away;
    away.agency_oid = "2.16.886.101.200031";
    CHECK(code_of([&] { w.service.update(reg, mine_id, away, ""); }) == "out-of-scope");
    CHECK(code_of([&] {
              w.service.create(reg, newcomer("E123456783", "2.16.886.101.200031"), "");
          }) == "out-of-scope");
    auto with_role = newcomer("E123456783", "2.16.886.101.20003");
    with_role.roles = std::vector<std::string>{"registration-admin"};
    CHECK(code_of([&] { w.service.create(reg, with_role, ""); }) == "role-required");
    CHECK(code_of([&] { w.service.audit(reg, their_id, 0, 10); }) == "out-of-scope");
    // Nothing above changed the other agency's account.
    CHECK(w.audit.list({their_id, std::nullopt, std::nullopt, 10, 0}).size() == 1);

    // Disabling needs a reason; re-enabling a never-activated account makes it pending.
    CHECK(code_of([&] { w.service.set_status(reg, mine_id, AccountStatus::Disabled, "", ""); }) ==
          "field-required");
    CHECK(w.service.set_status(reg, mine_id, AccountStatus::Disabled, "left", "").account.status ==
          AccountStatus::Disabled);
    CHECK(code_of([&] { w.service.reopen(reg, mine_id, ""); }) == "account-disabled");
    CHECK(w.service.set_status(reg, mine_id, AccountStatus::Active, "", "").account.status ==
          AccountStatus::Pending);
    CHECK(code_of([&] {
              w.service.set_status(super, super.account.id, AccountStatus::Disabled, "x", "");
          }) == "cannot-change-self");
    CHECK(code_of([&] { w.service.remove(super, super.account.id, "x", ""); }) ==
          "cannot-change-self");
    w.service.remove(super, mine_id, "left the agency", "");
    CHECK(code_of([&] { w.service.audit(reg, mine_id, 0, 10); }) == "out-of-scope");
    CHECK(w.service.audit(super, mine_id, 0, 10).front().action == "account.delete");
}
