// Portal passwords: the policy codes, the initial password rule, Argon2id hashes, and the
// credential service against a real SQLite file (change, reuse, lockout and its expiry,
// the audit row of a lockout).
#include <catch2/catch.hpp>

#include <chrono>

#include "core/clock.hpp"
#include "services/admin/audit_log.hpp"
#include "services/auth/auth_error.hpp"
#include "services/auth/credential_service.hpp"
#include "services/auth/password_hash.hpp"
#include "services/portal_services.hpp"
#include "store/portal/audit_store.hpp"
#include "store/portal/credential_store.hpp"
#include "temp_dir.hpp"

using namespace pkibridge::server;

namespace {

std::string policy_code(std::string_view pw, std::string_view id = "A123456789") {
    return check_password_policy(pw, id, 12).code;
}

AuditQuery query_of(std::int64_t account_id) {
    AuditQuery q;
    q.account_id = account_id;
    return q;
}

template <typename Fn>
std::string error_code(Fn&& fn) {
    try {
        fn();
    } catch (const ServiceError& e) {
        return e.code();
    }
    return "";
}

struct Fixture {
    pkibridge::testing::TempDir dir;
    SqliteAccountStore store{dir / "auth.db", SqliteStoreOptions{}};
    ManualClock clock{std::chrono::system_clock::from_time_t(1795363200)};  // Taipei day start
    PortalConfig config;
    PortalServices portal{PortalCalendar(480)};
    SqliteAuditLog audit{store, clock};
    CredentialStore credentials_store{store};
    CredentialService credentials{credentials_store, config, clock, portal};

    Fixture() { portal.audit = &audit; }

    Account make_account() {
        AccountProfile p;
        p.national_id = "A123456789";
        p.name = "Alice Chen";
        p.birth_date = "1980-06-12";
        Account a = store.create_account(p, "test");
        credentials.set_initial_password(a.id, p.national_id, *p.birth_date, "2026-11-23");
        return *store.account_by_id(a.id);
    }
};

}  // namespace

TEST_CASE("password policy: each rule has its own code", "[portal][auth][password]") {
    CHECK(policy_code("Abcdef12345!") == "");
    CHECK(policy_code("Abc12!") == "password-too-short");
    CHECK(policy_code("Abcdef1234!") == "password-too-short");  // 11 characters
    CHECK(policy_code("123456789012!") == "password-needs-letter");
    CHECK(policy_code("Abcdefghijk!") == "password-needs-digit");
    CHECK(policy_code("Abcdef123456") == "password-needs-special");
    CHECK(policy_code("a123456789") == "password-equals-id");    // the ID, other case
    CHECK(policy_code("xA123456789!") == "password-equals-id");  // contains the ID
    CHECK(policy_code("Abcdef12345\n!") == "password-invalid");
    CHECK(policy_code(std::string("Abcdef12345\xff!")) == "password-invalid");  // not UTF-8
    CHECK(policy_code(std::string(300, 'a') + "1!") == "password-invalid");     // too long
    // Length counts characters, not bytes: 11 CJK characters + digit is 12 characters.
    CHECK(policy_code("密碼密碼密碼密碼密碼a1") == "");
    CHECK(policy_code("密碼密碼a1") == "password-too-short");
    CHECK_FALSE(check_password_policy("Abc12!", "A123456789", 12).message_zh.empty());
}

TEST_CASE("the initial password is MmDd + birth MMDD + the ID's last four",
          "[portal][auth][password]") {
    CHECK(initial_password_for("A123457654", "1980-06-12") == "MmDd06127654");
    CHECK(error_code([] { initial_password_for("A123457654", "1980/06/12"); }) ==
          "birth-date-required");
    CHECK(error_code([] { initial_password_for("A123457654", ""); }) == "birth-date-required");
}

TEST_CASE("Argon2id hashes verify only the right secret", "[portal][auth][password]") {
    const std::string h = hash_password("Abcdef12345!");
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(verify_password_hash(h, "Abcdef12345!"));
    CHECK_FALSE(verify_password_hash(h, "Abcdef12345?"));
    CHECK_FALSE(verify_password_hash("not a hash", "Abcdef12345!"));
    CHECK(hash_password("Abcdef12345!") != h);  // salted
}

TEST_CASE("password change: current password, policy, no reuse of current or previous",
          "[portal][auth][password]") {
    Fixture f;
    Account a = f.make_account();
    CHECK(a.password_must_change);
    CHECK(a.initial_password_day == "2026-11-23");
    CHECK(error_code([&] { f.credentials.change_password(a, "wrong", "Abcdef12345!", ""); }) ==
          "password-incorrect");
    CHECK(error_code([&] { f.credentials.change_password(a, "MmDd06126789", "short1!", ""); }) ==
          "password-too-short");
    f.credentials.change_password(a, "MmDd06126789", "First-pass-001", "");
    a = *f.store.account_by_id(a.id);
    CHECK_FALSE(a.password_must_change);
    CHECK(error_code([&] {
              f.credentials.change_password(a, "First-pass-001", "First-pass-001", "");
          }) == "password-reused");
    f.credentials.change_password(a, "First-pass-001", "Second-pass-002", "");
    // The previous password (First) may not come back; one older (the initial) may.
    CHECK(error_code([&] {
              f.credentials.change_password(a, "Second-pass-002", "First-pass-001", "");
          }) == "password-reused");
    f.credentials.change_password(a, "Second-pass-002", "Third-pass-003!", "");
    auto audit = f.audit.list(query_of(a.id));
    int changes = 0;
    for (const auto& e : audit) changes += e.action == "account.password-change";
    CHECK(changes == 3);
}

TEST_CASE("three wrong passwords lock the account until the lockout runs out",
          "[portal][auth][lockout]") {
    Fixture f;
    Account a = f.make_account();
    auto attempt = [&](const char* pw) -> nlohmann::json {
        try {
            f.credentials.verify_password(a, pw, "192.0.2.1");
            f.credentials.login_succeeded(a.id);  // what the login service does at the end
            return {{"code", "ok"}};
        } catch (const AuthError& e) {
            nlohmann::json j = e.extra();
            j["code"] = e.code();
            j["zh"] = e.message_zh();
            return j;
        }
    };
    CHECK(attempt("wrong-1")["attemptsLeft"] == 2);
    CHECK(attempt("wrong-2")["attemptsLeft"] == 1);
    auto locked = attempt("wrong-3");
    CHECK(locked["code"] == "account-locked");
    CHECK(locked["lockedUntil"] == "2026-11-22T16:30:00Z");
    CHECK(locked["lockedUntilLocal"] == "2026-11-23 00:30");
    CHECK(locked["zh"].get<std::string>().find("2026-11-23 00:30") != std::string::npos);
    // While locked even the right password is refused.
    CHECK(attempt("MmDd06126789")["code"] == "account-locked");
    auto rows = f.audit.list(query_of(a.id));
    REQUIRE(rows.size() >= 1);
    CHECK(rows.front().action == "account.lockout");  // newest first
    CHECK(rows.front().ip == "192.0.2.1");
    CHECK(rows.front().after["lockedUntil"] == "2026-11-22T16:30:00Z");

    f.clock.advance(std::chrono::minutes(29));
    CHECK(attempt("MmDd06126789")["code"] == "account-locked");
    f.clock.advance(std::chrono::minutes(1));
    CHECK(attempt("MmDd06126789")["code"] == "ok");
    // A successful login clears the count: two more failures do not lock.
    CHECK(attempt("wrong")["attemptsLeft"] == 2);
    CHECK(attempt("MmDd06126789")["code"] == "ok");
    CHECK(f.store.account_by_id(a.id)->failed_password_attempts == 0);
    // A right password alone (second factor still to come) does not reset the count.
    CHECK(attempt("wrong")["attemptsLeft"] == 2);
    f.credentials.verify_password(a, "MmDd06126789", "");
    CHECK(f.store.account_by_id(a.id)->failed_password_attempts == 1);
    CHECK(attempt("wrong")["attemptsLeft"] == 1);
    CHECK(attempt("MmDd06126789")["code"] == "ok");

    // The administrator's unlock clears a lockout at once.
    attempt("w1");
    attempt("w2");
    CHECK(attempt("w3")["code"] == "account-locked");
    f.credentials.clear_lockout(a.id);
    CHECK(attempt("MmDd06126789")["code"] == "ok");
}
