// The PKCS#11 driver's pure parts: token flags -> PIN state, sign mechanisms (checked with
// OpenSSL), CK_RV -> host errors, p11-kit registry parsing, module loading failures, and the
// removal of certificates reachable through two drivers (two real in-process PIV cards).
// The driver against real modules (SoftHSM2, OpenSC) is tests/host/pkcs11_integration.py.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include <openssl/x509.h>

#include "card/card_error.hpp"
#include "config/host_config.hpp"
#include "drivers/duplicate_keys.hpp"
#include "pcsc/pcsc_error.hpp"
#include "piv/piv_token.hpp"
#include "pkcs11/ck_error.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/module_locations.hpp"
#include "pkcs11/sign_mechanism.hpp"
#include "pkcs11/token_flags.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "support/in_process_card.hpp"

using namespace pkibridge;
using namespace pkibridge::host;
namespace fs = std::filesystem;

namespace {

card::CardFailure card_failure_of(CK_RV rv) {
    try {
        pkcs11::throw_rv(rv, "C_Test");
    } catch (const card::CardError& e) {
        return e.failure();
    }
    FAIL("no CardError");
    return card::CardFailure::OperationFailed;
}

struct TempDir {
    fs::path path;
    TempDir() {
        char pattern[] = "/tmp/pkibridge-p11-unit-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

}  // namespace

TEST_CASE("token flags give the tries-left hint", "[pkcs11]") {
    auto none = pkcs11::pin_status_from_flags(CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED);
    CHECK_FALSE(none.blocked);
    CHECK_FALSE(none.tries_left);
    auto low = pkcs11::pin_status_from_flags(CKF_USER_PIN_COUNT_LOW);
    CHECK_FALSE(low.blocked);
    CHECK_FALSE(low.tries_left);  // "low" is not a number
    auto last = pkcs11::pin_status_from_flags(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
    CHECK(last.tries_left == 1);
    auto locked = pkcs11::pin_status_from_flags(CKF_USER_PIN_LOCKED | CKF_USER_PIN_FINAL_TRY);
    CHECK(locked.blocked);
    CHECK(locked.tries_left == 0);
}

TEST_CASE("PIN length bounds come from the token, clamped", "[pkcs11]") {
    CK_TOKEN_INFO info{};
    info.ulMinPinLen = 6;
    info.ulMaxPinLen = 8;
    auto policy = pkcs11::pin_policy_from_info(info);
    CHECK(policy.min_length == 6);
    CHECK(policy.max_length == 8);
    CHECK_FALSE(policy.digits_only);
    info.ulMinPinLen = 4;
    info.ulMaxPinLen = 255;  // SoftHSM2
    policy = pkcs11::pin_policy_from_info(info);
    CHECK(policy.min_length == 4);
    CHECK(policy.max_length == 64);
    info.ulMinPinLen = 0;
    info.ulMaxPinLen = CK_UNAVAILABLE_INFORMATION;
    policy = pkcs11::pin_policy_from_info(info);
    CHECK(policy.min_length == 1);
    CHECK(policy.max_length == 64);
}

TEST_CASE("padded PKCS#11 text loses its padding", "[pkcs11]") {
    unsigned char label[32];
    std::fill(std::begin(label), std::end(label), ' ');
    std::memcpy(label, "MOICA card", 10);
    CHECK(pkcs11::padded_text(label) == "MOICA card");
    std::fill(std::begin(label), std::end(label), ' ');
    CHECK(pkcs11::padded_text(label).empty());
}

TEST_CASE("RSA PKCS#1 signs an OpenSSL-built DigestInfo", "[pkcs11]") {
    const pkcs::Bytes digest =
        pkcs::digest(pkcs::HashAlgorithm::Sha256, pkcs::Bytes{'a', 'b', 'c'});
    auto m = pkcs11::sign_mechanism(CKK_RSA, digest, pkcs::HashAlgorithm::Sha256,
                                    pkcs::SignatureScheme::RsaPkcs1);
    CHECK(m.type == CKM_RSA_PKCS);
    CHECK(m.mechanism().pParameter == nullptr);
    // The input parses as a DigestInfo naming SHA-256 and holding the digest.
    const unsigned char* p = m.input.data();
    pkcs::OsslPtr<X509_SIG, X509_SIG_free> sig(
        d2i_X509_SIG(nullptr, &p, static_cast<long>(m.input.size())));
    REQUIRE(sig);
    const X509_ALGOR* alg = nullptr;
    const ASN1_OCTET_STRING* value = nullptr;
    X509_SIG_get0(sig.get(), &alg, &value);
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
    CHECK(OBJ_obj2nid(oid) == NID_sha256);
    CHECK(pkcs::Bytes(value->data, value->data + value->length) == digest);
}

TEST_CASE("PSS and ECDSA mechanisms take the digest", "[pkcs11]") {
    const pkcs::Bytes digest(48, 0x5A);
    auto pss = pkcs11::sign_mechanism(CKK_RSA, digest, pkcs::HashAlgorithm::Sha384,
                                      pkcs::SignatureScheme::RsaPss);
    CHECK(pss.type == CKM_RSA_PKCS_PSS);
    CHECK(pss.pss.hashAlg == CKM_SHA384);
    CHECK(pss.pss.mgf == CKG_MGF1_SHA384);
    CHECK(pss.pss.sLen == 48);
    CHECK(pss.input == digest);
    CK_MECHANISM mech = pss.mechanism();
    CHECK(mech.pParameter == &pss.pss);
    CHECK(mech.ulParameterLen == sizeof(CK_RSA_PKCS_PSS_PARAMS));

    auto ec = pkcs11::sign_mechanism(CKK_EC, digest, pkcs::HashAlgorithm::Sha384,
                                     pkcs::SignatureScheme::Ecdsa);
    CHECK(ec.type == CKM_ECDSA);
    CHECK(ec.input == digest);

    auto unsupported = [&](CK_KEY_TYPE type, pkcs::SignatureScheme scheme) {
        try {
            pkcs11::sign_mechanism(type, digest, pkcs::HashAlgorithm::Sha384, scheme);
        } catch (const card::CardError& e) {
            return e.failure() == card::CardFailure::UnsupportedKey;
        }
        return false;
    };
    CHECK(unsupported(CKK_EC, pkcs::SignatureScheme::RsaPss));
    CHECK(unsupported(CKK_RSA, pkcs::SignatureScheme::Ecdsa));
    CHECK(unsupported(CKK_DSA, pkcs::SignatureScheme::RsaPkcs1));
}

TEST_CASE("CK_RV values become the host's errors", "[pkcs11]") {
    using card::CardFailure;
    CHECK(card_failure_of(CKR_PIN_INCORRECT) == CardFailure::PinIncorrect);
    CHECK(card_failure_of(CKR_PIN_LOCKED) == CardFailure::PinBlocked);
    CHECK(card_failure_of(CKR_PIN_LEN_RANGE) == CardFailure::PinFormat);
    CHECK(card_failure_of(CKR_FUNCTION_CANCELED) == CardFailure::PinPadCancelled);
    CHECK(card_failure_of(CKR_USER_NOT_LOGGED_IN) == CardFailure::NotLoggedIn);
    CHECK(card_failure_of(CKR_MECHANISM_INVALID) == CardFailure::UnsupportedKey);
    CHECK(card_failure_of(CKR_DEVICE_ERROR) == CardFailure::OperationFailed);
    for (CK_RV gone : {CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID,
                       CKR_SESSION_CLOSED}) {
        CHECK(pkcs11::token_gone(gone));
        try {
            pkcs11::throw_rv(gone, "C_Sign");
            FAIL("no error");
        } catch (const pcsc::PcscError& e) {
            CHECK(e.failure() == pcsc::PcscFailure::CardRemoved);
            CHECK(std::string(e.what()).find("C_Sign") != std::string::npos);
        }
    }
    CHECK(pkcs11::rv_name(CKR_PIN_INCORRECT) == "CKR_PIN_INCORRECT (0xa0)");
    CHECK(pkcs11::rv_name(0x80000123UL) == "CK_RV 0x80000123");
}

TEST_CASE("p11-kit registry files are read like p11-kit does", "[pkcs11]") {
    TempDir user, system;
    user.write("vendor.module", "module: /opt/vendor/libvendor.so\n");
    user.write("off.module", "module: /opt/off.so\ndisable-in: firefox pkibridge-host\n");
    system.write("vendor.module", "module: /shadowed/by/the/user/file.so\n");
    system.write("opensc.module", "# comment\nmodule: opensc-pkcs11.so\n");
    system.write("trust.module", "module: p11-kit-trust.so\n");
    system.write("only-ff.module", "module: /opt/ff.so\nenable-in: firefox\n");
    system.write("for-us.module", "module: /opt/us.so\nenable-in: pkibridge-host, chromium\n");
    system.write("README", "module: /not/a/module/file.so\n");
    const auto modules = pkcs11::p11kit_registered_modules({user.path, system.path});
    CHECK(modules == std::vector<std::string>{
                         "/opt/vendor/libvendor.so", "/opt/us.so",
                         std::string(fs::path(modules.at(2)).parent_path()) + "/opensc-pkcs11.so"});
    CHECK(fs::path(modules.at(2)).is_absolute());
}

TEST_CASE("the module plan keeps configured paths first and each file once", "[pkcs11]") {
    TempDir dir;
    dir.write("a.so", "x");
    const std::string a = (dir.path / "a.so").string();
    fs::create_symlink(dir.path / "a.so", dir.path / "link.so");
    const auto plan = pkcs11::module_plan(
        {a, (dir.path / "link.so").string(), "/missing/libHicos_p11.so"}, false);
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].path == a);
    CHECK(plan[0].source == pkcs11::ModuleSource::Config);
    CHECK(plan[1].path == "/missing/libHicos_p11.so");  // kept, so that status reports it
    for (const auto& spec : pkcs11::module_plan({}, true))
        CHECK(fs::exists(spec.path));  // defaults are tried only where they exist
}

TEST_CASE("modules that cannot be used fail with a reason", "[pkcs11]") {
    TempDir dir;
    dir.write("fake.so", "not an ELF file");
    auto reason = [](const std::string& path) {
        try {
            pkcs11::Module::load(path);
        } catch (const pkcs11::Pkcs11Error& e) {
            return std::string(e.what());
        }
        return std::string("loaded");
    };
    CHECK(reason("/nonexistent/libHicos_p11.so").find("cannot load") != std::string::npos);
    CHECK(reason((dir.path / "fake.so").string()).find("cannot load") != std::string::npos);
    // A real shared library that is no PKCS#11 module.
    for (const char* zlib :
         {"/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"})
        if (fs::exists(zlib)) CHECK(reason(zlib).find("C_GetFunctionList") != std::string::npos);
}

TEST_CASE("a card reachable through two drivers is listed once", "[pkcs11][card]") {
    // Two real in-process PIV cards with the same certificates stand for one card seen twice;
    // a third with other certificates stays.
    auto same = host_test::provisioned_card(pkcs::KeySpec::EcP256);
    auto copy = host_test::provisioned_card(pkcs::KeySpec::EcP256);
    auto other = host_test::provisioned_card(pkcs::KeySpec::Rsa2048);
    vcard::PivCard card_a(vcard::CardState(std::move(same.state)));
    vcard::PivCard card_b(vcard::CardState(std::move(copy.state)));
    vcard::PivCard card_c(vcard::CardState(std::move(other.state)));
    std::vector<std::unique_ptr<card::Token>> tokens;
    for (auto* card : {&card_a, &card_b, &card_c})
        tokens.push_back(piv::PivToken::open(std::make_unique<host_test::InProcessChannel>(*card)));
    auto* first = tokens[0].get();
    REQUIRE(first->keys().size() == 2);

    drivers::hide_duplicate_keys(tokens);
    REQUIRE(tokens.size() == 2);
    CHECK(tokens[0]->keys().size() == 2);
    CHECK(tokens[1]->keys().size() == 2);
    CHECK(tokens[0]->keys()[0].certificate.sha256_fingerprint() !=
          tokens[1]->keys()[0].certificate.sha256_fingerprint());
    CHECK(tokens[0]->key("9c"));
    CHECK(tokens[0]->description().card_type == "PIV");
}

TEST_CASE("the PKCS#11 settings are parsed and checked", "[pkcs11][config]") {
    auto config = config::parse_config(nlohmann::json::parse(R"({
        "pkcs11Modules": ["/usr/lib/libHicos_p11.so", "opensc-pkcs11.so"],
        "pkcs11DefaultModules": false, "preferredDriver": "pkcs11"})"),
                                       "test.json");
    CHECK(config.pkcs11_modules ==
          std::vector<std::string>{"/usr/lib/libHicos_p11.so", "opensc-pkcs11.so"});
    CHECK_FALSE(config.pkcs11_default_modules);
    CHECK(config.preferred_driver == config::HostConfig::PreferredDriver::Pkcs11);

    const auto defaults = config::parse_config(nlohmann::json::object(), "test.json");
    CHECK(defaults.pkcs11_modules.empty());
    CHECK(defaults.pkcs11_default_modules);
    CHECK(defaults.preferred_driver == config::HostConfig::PreferredDriver::Builtin);

    for (const char* bad : {R"({"pkcs11Modules": "/x.so"})", R"({"pkcs11Modules": [""]})",
                            R"({"pkcs11Modules": [1]})", R"({"pkcs11DefaultModules": 1})",
                            R"({"preferredDriver": "opensc"})"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(config::parse_config(nlohmann::json::parse(bad), "test.json"),
                        config::ConfigError);
    }
}
