// Portal administration rules without a server: national ID checksum, OIDs and the scope
// of registration administrators, CSV / HTML escaping, the catalogue data file.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/errors.hpp"
#include "services/admin/account_rules.hpp"
#include "services/admin/catalogue.hpp"
#include "services/admin/portal_user.hpp"
#include "services/admin/review_export.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;
using pkibridge::testing::TempDir;

namespace {

Account with(std::vector<std::string> roles, std::optional<std::string> agency_oid,
             std::optional<std::string> jurisdiction_oid = std::nullopt) {
    Account a;
    a.id = 7;
    a.roles = std::move(roles);
    a.agency_oid = std::move(agency_oid);
    a.jurisdiction_oid = std::move(jurisdiction_oid);
    a.status = AccountStatus::Active;
    return a;
}

}  // namespace

TEST_CASE("national ID: letter, 1/2/8/9, eight digits, check digit", "[portal-admin]") {
    CHECK(valid_national_id("A123456789"));
    CHECK(valid_national_id("B123456780"));
    CHECK_FALSE(valid_national_id("A123456788"));  // wrong check digit
    CHECK_FALSE(valid_national_id("A323456789"));  // second digit 3
    CHECK_FALSE(valid_national_id("a123456789"));  // lower case
    CHECK_FALSE(valid_national_id("A12345678"));   // too short
    CHECK_FALSE(valid_national_id("A1234567890"));
    CHECK_FALSE(valid_national_id("A12345678X"));
    CHECK_FALSE(valid_national_id(""));
    // Every check digit but one fails for the same first nine characters.
    int valid = 0;
    for (char d = '0'; d <= '9'; ++d) valid += valid_national_id(std::string("Z12345678") + d);
    CHECK(valid == 1);
}

TEST_CASE("calendar dates and e-mail addresses", "[portal-admin]") {
    CHECK(valid_calendar_date("1980-06-12"));
    CHECK(valid_calendar_date("2000-02-29"));
    CHECK_FALSE(valid_calendar_date("1900-02-29"));
    CHECK_FALSE(valid_calendar_date("2023-02-29"));
    CHECK_FALSE(valid_calendar_date("2023-13-01"));
    CHECK_FALSE(valid_calendar_date("2023-04-31"));
    CHECK_FALSE(valid_calendar_date("23-04-01"));
    CHECK(valid_email("wang@agency.gov.tw"));
    CHECK_FALSE(valid_email("wang@localhost"));
    CHECK_FALSE(valid_email("wang@@agency.gov.tw"));
    CHECK_FALSE(valid_email("wang smith@agency.gov.tw"));
    CHECK_FALSE(valid_email("wang@agency.gov.tw\r\nBcc: x@y.z"));
}

TEST_CASE("OIDs: syntax and arc-wise containment", "[portal-admin]") {
    CHECK(valid_oid("2.16.886.101.20003"));
    CHECK_FALSE(valid_oid("3.1"));
    CHECK_FALSE(valid_oid("2"));
    CHECK_FALSE(valid_oid("2.16..886"));
    CHECK_FALSE(valid_oid("2.016.886"));
    CHECK_FALSE(valid_oid("2.16.886."));
    CHECK(oid_at_or_under("2.16.886.101.20003", "2.16.886.101.20003"));
    CHECK(oid_at_or_under("2.16.886.101.20003.20065", "2.16.886.101.20003"));
    CHECK_FALSE(oid_at_or_under("2.16.886.101.200031", "2.16.886.101.20003"));
    CHECK_FALSE(oid_at_or_under("2.16.886.101", "2.16.886.101.20003"));
    CHECK_FALSE(oid_at_or_under("2.16.886.101.20003.x", "2.16.886.101.20003"));
}

TEST_CASE("scope: who manages whom", "[portal-admin]") {
    const Account super = with({"super-admin"}, std::nullopt);
    const Account reg = with({"registration-admin"}, "2.16.886.101.20003", "2.16.886.101.90001");
    const Account user_in = with({"user"}, "2.16.886.101.20003.20065");
    const Account user_same = with({"user"}, "2.16.886.101.20003");
    const Account user_prefix = with({"user"}, "2.16.886.101.200031");
    const Account user_juris = with({"user"}, "2.16.886.101.5", "2.16.886.101.90001.3");
    const Account user_none = with({"user"}, std::nullopt);
    const Account other_admin = with({"registration-admin"}, "2.16.886.101.20003.1");

    CHECK(can_manage(super, user_prefix));
    CHECK(can_manage(super, other_admin));
    CHECK(can_manage(reg, user_in));
    CHECK(can_manage(reg, user_same));
    CHECK(can_manage(reg, user_juris));
    CHECK_FALSE(can_manage(reg, user_prefix));  // string prefix, not an arc below
    CHECK_FALSE(can_manage(reg, user_none));
    CHECK_FALSE(can_manage(reg, other_admin));  // administrators belong to the super-admin
    CHECK_FALSE(can_manage(reg, super));
    CHECK_FALSE(can_manage(reg, reg));
    CHECK_FALSE(can_manage(user_same, user_in));  // users manage nobody

    Account disabled_reg = reg;
    disabled_reg.status = AccountStatus::Disabled;
    CHECK_FALSE(can_manage(disabled_reg, user_in));

    PortalUser pu{reg, {}, false};
    CHECK_NOTHROW(require_manage(pu, user_in));
    try {
        require_manage(pu, user_prefix);
        FAIL("no exception");
    } catch (const ServiceError& e) {
        CHECK(e.code() == "out-of-scope");
        CHECK(e.kind() == ErrorKind::Forbidden);
    }
}

TEST_CASE("CSV fields: RFC 4180 quoting and formula neutralising", "[portal-admin]") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("王小明") == "王小明");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
    CHECK(csv_field("+1") == "'+1");
    CHECK(csv_field("-2") == "'-2");
    CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_field("\tx") == "'\tx");
    CHECK(csv_field("") == "");
    CHECK(csv_row({"a", "b,c", ""}) == "a,\"b,c\",\r\n");
    CHECK(html_escape("<b a='1'>&\"") == "&lt;b a=&#39;1&#39;&gt;&amp;&quot;");
}

TEST_CASE("review export: BOM, one row per account, escaped HTML", "[portal-admin]") {
    const Catalogue cat = Catalogue::parse(
        R"({"systems":[{"systemCode":"DC100","category":"公司登記與管理類","systemId":"csm",
            "subsystems":[{"name":"公司登記管理系統使用者","identityType":"csm_user"}]}]})",
        "test");
    AdminAccount a;
    a.account.national_id = "A123456789";
    a.account.name = "=cmd|' /C calc'!A0";
    a.account.agency = "<script>alert(1)</script>";
    a.account.status = AccountStatus::Active;
    a.account.created_at = 1700000000;
    a.account.last_certificate_login_at = 1700003600;
    a.identity_types = {"csm_user"};
    PortalCalendar cal;
    ReviewHeader h{"2023-11-15", "2023-11-15 06:13", "管理者 (B123456780)"};
    const std::string csv = review_csv({a}, cat, cal, h);
    CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);
    CHECK(csv.find("'=cmd|") != std::string::npos);
    CHECK(csv.find(",=cmd") == std::string::npos);
    CHECK(csv.find("csm_user (DC100 csm 公司登記管理系統使用者)") != std::string::npos);
    CHECK(csv.find("2023-11-15 07:13:20") != std::string::npos);  // Taipei time
    const std::string html = review_html({a}, cat, cal, h);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;") != std::string::npos);
    CHECK(html.find("@media print") != std::string::npos);
}

TEST_CASE("catalogue: the repository's data file lists every seed identity type",
          "[portal-admin]") {
    const auto file =
        std::filesystem::path(PKIBRIDGE_SOURCE_DIR) / "verify-server" / "data" / "catalogue.json";
    const Catalogue cat = Catalogue::load(file);
    for (const char* t :
         {"csm_admin",  "csm_user",    "csm_fi",        "nbms_user", "fms_user",
          "lms_user",   "psm_bob_6k",  "ims_sys_admin", "edd_user",  "gms_user",
          "gcr_admin",  "gcr_user",    "game_manager",  "game_user", "citygame_user",
          "jsm_lco_ha", "npcsc_user",  "spms_user",     "psr_admin", "psr_user",
          "mail_user",  "sem_manager", "sem_gov"})
        CHECK(cat.has_identity_type(t));
    CHECK_FALSE(cat.has_identity_type("root"));
    CHECK(cat.systems().size() == 16);
    std::vector<std::string> held = {"nbms_user", "gcr_user"};
    auto entries = cat.entries_json(&held);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0]["systemCode"] == "DC101");
    CHECK(entries[1]["systemCode"] == "DC191");
    CHECK(cat.entries_json().size() == 23);
    CHECK(locate_catalogue(file) == file);
}

TEST_CASE("catalogue: malformed files are refused with the reason", "[portal-admin]") {
    CHECK_THROWS_AS(Catalogue::parse("[]", "t"), ConfigError);
    CHECK_THROWS_WITH(Catalogue::parse(R"({"systems":[]})", "t"), Catch::Contains("non-empty"));
    CHECK_THROWS_WITH(
        Catalogue::parse(R"({"systems":[{"systemCode":"A","category":"c","systemId":"s",
            "subsystems":[{"name":"n","identityType":"x"},{"name":"m","identityType":"x"}]}]})",
                         "t"),
        Catch::Contains("duplicate identity type x"));
    CHECK_THROWS_WITH(
        Catalogue::parse(R"({"systems":[{"systemCode":"A","category":"c","systemId":"s",
            "subsystems":[{"name":"n","identityType":"Bad Type"}]}]})",
                         "t"),
        Catch::Contains("a-z"));
    CHECK_THROWS_WITH(Catalogue::parse(R"({"systems":[{"category":"c"}]})", "t"),
                      Catch::Contains("systemCode"));
    TempDir dir;
    CHECK_THROWS_AS(Catalogue::load(dir / "missing.json"), ConfigError);
    CHECK_THROWS_AS(locate_catalogue(dir / "missing.json"), ConfigError);
}
