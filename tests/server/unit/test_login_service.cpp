// The login checks in-process, with a real test CA, real CMS signatures, real CRLs and a
// real SQLite store (the HTTP integration tests cover the same through the server).
#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/challenge_store.hpp"
#include "services/crl_manager.hpp"
#include "services/login_service.hpp"
#include "services/metrics.hpp"
#include "services/session_service.hpp"
#include "services/verification_service.hpp"
#include "store/sqlite_account_store.hpp"
#include "temp_dir.hpp"
#include "token_mint.hpp"

using namespace pkibridge;
using namespace pkibridge::server;
using namespace std::chrono_literals;

namespace {

const std::string kOrigin = "https://portal.example";

pkcs::IssueOptions person(const std::string& name, const std::string& id) {
    pkcs::IssueOptions o;
    o.name = name;
    o.national_id = id;
    return o;
}

struct World {
    testing::TempDir dir;
    pkcs::TestCa ca =
        pkcs::TestCa::init(dir.path() / "ca", pkcs::TestCaInitOptions{pkcs::KeySpec::EcP256});
    ManualClock clock{std::chrono::system_clock::now()};
    std::unique_ptr<SqliteAccountStore> store;
    std::unique_ptr<CrlManager> crls;
    std::unique_ptr<VerificationService> verifier;
    std::unique_ptr<ChallengeStore> challenges;
    std::unique_ptr<SessionService> sessions;
    Metrics metrics;
    std::unique_ptr<LoginService> login;

    World() {
        write_crls();
        CrlConfig cc;
        cc.files = {dir / "moica.crl", dir / "root.crl"};
        cc.from_distribution_points = false;
        crls = std::make_unique<CrlManager>(
            cc, clock,
            std::vector<pkcs::Certificate>{ca.root(), ca.certificate(pkcs::TestCaId::Moica)});
        crls->load_initial();
        store = std::make_unique<SqliteAccountStore>(dir / "db.sqlite", SqliteStoreOptions{});
        pkcs::TrustStore trust{{ca.root()}, ca.intermediates()};
        verifier =
            std::make_unique<VerificationService>(trust, *crls, clock, VerificationPolicy{}, 100);
        challenges = std::make_unique<ChallengeStore>(clock, 300s, 1000);
        sessions = std::make_unique<SessionService>(*store, clock, SessionPolicy{});
        login = std::make_unique<LoginService>(LoginPolicy{{kOrigin}, 300}, *challenges, *verifier,
                                               *store, *sessions, clock, metrics);
    }

    void write_crls() {
        pkcs::write_file(dir / "moica.crl", ca.make_crl_der(pkcs::TestCaId::Moica));
        pkcs::write_file(dir / "root.crl", ca.make_crl_der(pkcs::TestCaId::Root));
    }

    Account add_account(const pkcs::IssuedPair& pair, const std::string& id,
                        const std::string& name) {
        AccountProfile p;
        p.national_id = id;
        p.name = name;
        p.status = AccountStatus::Active;
        Account a = store->create_account(p, "test");
        const auto& c = pair.sign.certificate;
        store->register_certificate(
            a.id, {c.sha256_fingerprint(), c.issuer(), c.serial_hex(), c.subject(), c.not_after()},
            "test");
        return a;
    }

    nlohmann::json token(const pkcs::IssuedCredential& cred, const std::string& nonce,
                         testing::MintOptions o = {}) {
        auto signer =
            pkcs::software_signer(cred.certificate, pkcs::EvpPkeyPtr(EVP_PKEY_dup(cred.key.get())));
        if (o.origin.empty()) o.origin = kOrigin;
        o.nonce = nonce;
        if (!o.issued_at) o.issued_at = pkcs::format_rfc3339(clock.now_unix());
        return testing::mint_token(signer, o);
    }

    std::string code_of(const nlohmann::json& token, const std::string& session) {
        try {
            login->login_with_certificate(token, ClientInfo{session, "127.0.0.1", "test"});
        } catch (const ServiceError& e) {
            return e.code();
        }
        return "ok";
    }
};

}  // namespace

TEST_CASE("certificate login: success opens a session and records the login", "[login]") {
    World w;
    auto pair = w.ca.issue(person("Login Tester", "A123456789"));
    Account a = w.add_account(pair, "A123456789", "Login Tester");
    auto ch = w.challenges->issue("browser-1");
    LoginResult r = w.login->login_with_certificate(w.token(pair.sign, ch.nonce),
                                                    ClientInfo{"browser-1", "10.0.0.1", "ua"});
    CHECK(r.account.id == a.id);
    CHECK(w.sessions->resolve(r.session.id));
    auto logins = w.store->recent_logins(a.id, 5);
    REQUIRE(logins.size() == 1);
    CHECK(logins[0].method == "certificate");
    CHECK(logins[0].certificate_sha256 == pair.sign.certificate.sha256_fingerprint());
    CHECK(logins[0].ip == std::optional<std::string>("10.0.0.1"));
    // The second login of the same certificate reuses the validated path.
    auto ch2 = w.challenges->issue("browser-1");
    LoginResult r2 = w.login->login_with_certificate(w.token(pair.sign, ch2.nonce),
                                                     ClientInfo{"browser-1", "10.0.0.1", "ua"});
    CHECK(r2.path_from_cache);
}

TEST_CASE("certificate login: each rejection has its own code", "[login]") {
    World w;
    auto pair = w.ca.issue(person("Login Tester", "A123456789"));
    w.add_account(pair, "A123456789", "Login Tester");

    SECTION("replayed nonce") {
        auto ch = w.challenges->issue("b");
        auto t = w.token(pair.sign, ch.nonce);
        CHECK(w.code_of(t, "b") == "ok");
        CHECK(w.code_of(t, "b") == "nonce-replayed");
    }
    SECTION("expired nonce") {
        auto ch = w.challenges->issue("b");
        w.clock.advance(301s);
        CHECK(w.code_of(w.token(pair.sign, ch.nonce), "b") == "nonce-expired");
    }
    SECTION("nonce of another session") {
        auto ch = w.challenges->issue("b");
        CHECK(w.code_of(w.token(pair.sign, ch.nonce), "other") == "nonce-session-mismatch");
    }
    SECTION("unknown nonce") {
        CHECK(w.code_of(w.token(pair.sign, "made-up"), "b") == "nonce-unknown");
    }
    SECTION("wrong origin") {
        auto ch = w.challenges->issue("b");
        testing::MintOptions o;
        o.origin = "https://evil.example";
        CHECK(w.code_of(w.token(pair.sign, ch.nonce, o), "b") == "origin-mismatch");
        // The origin is checked before the nonce: the challenge is still usable.
        CHECK(w.code_of(w.token(pair.sign, ch.nonce), "b") == "ok");
    }
    SECTION("issuedAt too far off") {
        auto ch = w.challenges->issue("b");
        testing::MintOptions o;
        o.issued_at = pkcs::format_rfc3339(w.clock.now_unix() - 3600);
        CHECK(w.code_of(w.token(pair.sign, ch.nonce, o), "b") == "issued-at-skew");
        // The nonce was consumed although a later check failed.
        CHECK(w.code_of(w.token(pair.sign, ch.nonce), "b") == "nonce-replayed");
    }
    SECTION("tampered signature") {
        auto ch = w.challenges->issue("b");
        testing::MintOptions o;
        o.tamper = "signature";
        CHECK(w.code_of(w.token(pair.sign, ch.nonce, o), "b") == "signature-invalid");
    }
    SECTION("token certificate is not the signer") {
        auto other = w.ca.issue(person("Other", "B123456789"));
        auto ch = w.challenges->issue("b");
        testing::MintOptions o;
        o.token_certificate = other.sign.certificate;
        CHECK(w.code_of(w.token(pair.sign, ch.nonce, o), "b") == "certificate-mismatch");
    }
    SECTION("revoked certificate (CRL file reloaded)") {
        w.ca.revoke(pair.sign.certificate);
        w.write_crls();
        w.crls->refresh_all();
        auto ch = w.challenges->issue("b");
        CHECK(w.code_of(w.token(pair.sign, ch.nonce), "b") == "revoked");
    }
    SECTION("unregistered certificate, and the MOICA please-register variant") {
        auto stranger = w.ca.issue(person("Stranger", "C123450000"));
        auto ch = w.challenges->issue("b");
        CHECK(w.code_of(w.token(stranger.sign, ch.nonce), "b") == "certificate-not-registered");

        AccountProfile p;
        p.national_id = "D223454321";
        p.name = "Newcomer";
        p.status = AccountStatus::Active;
        w.store->create_account(p, "test");
        auto newcomer = w.ca.issue(person("Newcomer", "D223454321"));
        auto ch2 = w.challenges->issue("b");
        CHECK(w.code_of(w.token(newcomer.auth, ch2.nonce), "b") == "registration-required");
    }
    SECTION("DER inside the token") {
        auto ch = w.challenges->issue("b");
        auto t = w.token(pair.sign, ch.nonce);
        auto bad_cert = t;
        bad_cert["certificate"] = pkcs::base64_encode(pkcs::as_bytes("not a certificate"));
        CHECK(w.code_of(bad_cert, "b") == "token-certificate-malformed");
        auto bad_cms = t;
        bad_cms["pkcs7"] = pkcs::base64_encode(pkcs::as_bytes("not a cms at all"));
        CHECK(w.code_of(bad_cms, "b") == "cms-malformed");
        auto wrong_type = t;
        wrong_type["pkcs7"] = t["certificate"];  // valid DER, not a CMS
        CHECK(w.code_of(wrong_type, "b") == "cms-malformed");
        testing::MintOptions o;
        o.detached = true;  // a detached signature carries no content to check
        CHECK(w.code_of(w.token(pair.sign, ch.nonce, o), "b") == "cms-malformed");
        // None of these consumed the nonce.
        CHECK(w.code_of(t, "b") == "ok");
    }
    SECTION("tampered content") {
        auto ch = w.challenges->issue("b");
        testing::MintOptions o;
        o.tamper = "content";
        CHECK(w.code_of(w.token(pair.sign, ch.nonce, o), "b") == "content-mismatch");
    }
    SECTION("disabled account") {
        auto acct = w.store->account_by_national_id("A123456789");
        w.store->set_account_status(acct->id, AccountStatus::Disabled, "test");
        auto ch = w.challenges->issue("b");
        CHECK(w.code_of(w.token(pair.sign, ch.nonce), "b") == "account-disabled");
    }
}
