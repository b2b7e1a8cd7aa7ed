// The test CA itself: persistence, input validation, files, escape hatches, and that
// OpenSSL's own chain validation accepts what it issues.
#include <sys/stat.h>

#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "pkibridge/pkcs/time_util.hpp"

using namespace pkibridge::pkcs;
using certtest::hierarchy;
namespace fs = std::filesystem;

namespace {

void require_invalid(const IssueOptions& o, const std::string& message_part) {
    try {
        hierarchy().ca.issue(o);
        FAIL("issue accepted bad options");
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK_THAT(e.what(), Catch::Contains(message_part));
    }
}

// X509_verify_cert with the root trusted and the issuing CA untrusted, at time `at`.
int openssl_verify(const Certificate& leaf, const Certificate& issuing, std::int64_t at) {
    auto& ca = hierarchy().ca;
    X509StorePtr store(X509_STORE_new());
    REQUIRE(X509_STORE_add_cert(store.get(), ca.root().native()) == 1);
    X509StackPtr untrusted(sk_X509_new_null());
    sk_X509_push(untrusted.get(), issuing.native());
    X509_up_ref(issuing.native());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) == 1);
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(at));
    if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
    return X509_STORE_CTX_get_error(ctx.get());
}

}  // namespace

TEST_CASE("test CA state survives reopening", "[testca]") {
    auto& h = hierarchy();
    TestCa again = TestCa::open(h.ca.dir());
    CHECK(again.root() == h.ca.root());
    for (TestCaId id : kAllTestCas) {
        CHECK(again.certificate(id) == h.ca.certificate(id));
        CHECK(EVP_PKEY_eq(again.key(id), h.ca.key(id)) == 1);
        struct stat st {};
        REQUIRE(::stat(again.key_path(id).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
    CHECK(again.crl_base_url() == "http://127.0.0.1:8089/crl");
    CHECK(again.crl_url(TestCaId::Xca) == "http://127.0.0.1:8089/crl/xca.crl");
    CHECK(again.key_spec() == KeySpec::EcP256);
    CHECK(load_certificates(again.intermediates_path()).size() == 4);
    CHECK(Certificate::load(again.root_path()) == h.ca.root());

    // A revocation recorded through one instance shows in a CRL made by another.
    IssuedPair pair = again.issue(certtest::person("趙三", "H100000005"));
    again.revoke(pair.sign.certificate, kReasonSuperseded, 1700000000);
    TestCa third = TestCa::open(h.ca.dir());
    Crl crl = third.make_crl(TestCaId::Moica);
    CHECK(crl.find(pair.sign.certificate)->reason == kReasonSuperseded);

    CHECK_THROWS_AS(TestCa::init(h.ca.dir()), PkcsError);
    try {
        TestCa::open(h.ca.dir() / "nothing-here");
        FAIL("opened a missing CA");
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::NotFound);
    }
}

TEST_CASE("issue validates its inputs with clear messages", "[testca]") {
    require_invalid(certtest::person("x", "a123456789"), "uppercase letter and 9 digits");
    require_invalid(certtest::person("x", "A12345678"), "uppercase letter and 9 digits");
    require_invalid(certtest::person("x", "A12345678X"), "uppercase letter and 9 digits");
    require_invalid(certtest::person("", "A123456789"), "--name");
    require_invalid(certtest::person(std::string(65, 'n'), "A123456789"), "longer than 64");
    require_invalid(certtest::person("bad\xff", "A123456789"), "UTF-8");
    IssueOptions o = certtest::person();
    o.national_id.reset();
    require_invalid(o, "--id is required");
    o = certtest::person();
    o.ubn = "12345678";
    require_invalid(o, "--ubn applies to --type company only");

    IssueOptions company;
    company.type = HolderType::Company;
    company.name = "測試股份有限公司";
    require_invalid(company, "--ubn is required");
    company.ubn = "1234567";
    require_invalid(company, "exactly 8 digits");
    company.ubn = "1234567a";
    require_invalid(company, "exactly 8 digits");

    IssueOptions org;
    org.type = HolderType::Org;
    org.name = "測試協會";
    require_invalid(org, "--oid is required");
    for (const char* bad : {"2..5", "abc", "2", "3.1.2", "2.16.", ".2.16", "2.016.886"}) {
        org.oid = bad;
        INFO(bad);
        require_invalid(org, "invalid OID");
    }
    org.oid = "2.16.886.101.1";
    org.days = 0;
    require_invalid(org, "--days");
    org.days = 30;
    org.not_before = 100;
    require_invalid(org, "together");
    org.not_after = 50;
    require_invalid(org, "later than");
    org.sign_key_usage = std::vector<std::string>{"flyingSaucer"};
    org.not_before.reset();
    org.not_after.reset();
    require_invalid(org, "unknown key usage");
    org.sign_key_usage.reset();
    org.auth_eku = std::vector<std::string>{"not an eku"};
    require_invalid(org, "unknown extended key usage");

    CHECK_THROWS_AS(parse_key_spec("rsa-1024"), PkcsError);
    CHECK(parse_key_spec("ec-p384") == KeySpec::EcP384);
    CHECK(parse_holder_type("agency") == HolderType::Agency);
    CHECK_THROWS_AS(parse_holder_type("robot"), PkcsError);
    CHECK(parse_test_ca_name("moeaca") == TestCaId::Moeaca);
    CHECK_THROWS_AS(parse_test_ca_name("grca"), PkcsError);
}

TEST_CASE("escape hatches: key usage, EKU, exact validity, no GPKI", "[testca]") {
    auto& h = hierarchy();
    IssueOptions o = certtest::person("錯誤用途", "J100000006");
    o.sign_key_usage = std::vector<std::string>{"keyEncipherment"};
    o.auth_eku = std::vector<std::string>{};
    o.sign_eku = std::vector<std::string>{"emailProtection", "1.3.6.1.4.1.311.20.2.2"};
    o.not_before = 1600000000;
    o.not_after = 1600086400;
    o.omit_gpki_attributes = true;
    IssuedPair pair = h.ca.issue(o);
    CHECK(pair.sign.certificate.key_usage() == std::vector<std::string>{"keyEncipherment"});
    CHECK(pair.sign.certificate.extended_key_usage() ==
          std::vector<std::string>{"emailProtection", "msSmartcardLogin"});
    CHECK_FALSE(pair.auth.certificate.has_extended_key_usage_extension());
    CHECK(pair.sign.certificate.not_before() == 1600000000);
    CHECK(pair.sign.certificate.not_after() == 1600086400);
    CHECK(pair.sign.certificate.gpki_attributes().empty());

    IssueOptions no_ku = certtest::person("無用途", "J100000007");
    no_ku.sign_key_usage = std::vector<std::string>{};
    CHECK_FALSE(h.ca.issue(no_ku).sign.certificate.has_key_usage_extension());
}

TEST_CASE("OpenSSL validates issued chains, and rejects expired ones", "[testca]") {
    auto& h = hierarchy();
    const std::int64_t now = now_unix();
    IssueOptions agency;
    agency.type = HolderType::Agency;
    agency.name = "測試機關";
    agency.oid = "2.16.886.101.20003";
    IssuedPair pair = h.ca.issue(agency);
    CHECK(openssl_verify(pair.sign.certificate, pair.issuing_ca, now) == X509_V_OK);
    CHECK(openssl_verify(pair.auth.certificate, pair.issuing_ca, now) == X509_V_OK);
    // Wrong intermediate: no path.
    CHECK(openssl_verify(pair.sign.certificate, h.ca.certificate(TestCaId::Moica), now) ==
          X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);

    IssueOptions expired = certtest::person("過期", "K100000008");
    expired.not_before = now - 10 * 86400;
    expired.not_after = now - 86400;
    IssuedPair old = h.ca.issue(expired);
    CHECK(openssl_verify(old.sign.certificate, old.issuing_ca, now) == X509_V_ERR_CERT_HAS_EXPIRED);
    IssueOptions future = certtest::person("未來", "K100000009");
    future.not_before = now + 86400;
    future.not_after = now + 10 * 86400;
    IssuedPair later = h.ca.issue(future);
    CHECK(openssl_verify(later.sign.certificate, later.issuing_ca, now) ==
          X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_CASE("write_pair writes the card files", "[testca]") {
    auto& h = hierarchy();
    IssuedPair pair = h.ca.issue(certtest::person("檔案", "L100000010"));
    certtest::TempDir out;
    TestCa::write_pair(pair, out.path() / "holder");
    const fs::path dir = out.path() / "holder";
    CHECK(Certificate::load(dir / "sign.pem") == pair.sign.certificate);
    CHECK(Certificate::load(dir / "auth.pem") == pair.auth.certificate);
    CHECK(Certificate::load(dir / "chain.pem") == h.ca.certificate(TestCaId::Moica));
    for (const char* key : {"sign.key", "auth.key"}) {
        struct stat st {};
        REQUIRE(::stat((dir / key).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        std::string pem = to_string(read_file(dir / key));
        CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
    }
    CHECK(pair.sign.key_pem() == to_string(read_file(dir / "sign.key")));

    // Revoking something the CA never issued is refused.
    certtest::TempDir other_dir;
    TestCa other = TestCa::init(other_dir.path(), {KeySpec::EcP256, "http://x/crl"});
    try {
        other.revoke(pair.sign.certificate);
        FAIL("revoked a foreign certificate");
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK_THAT(e.what(), Catch::Contains("not issued by the test CA"));
    }
}
