#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "services/login_token.hpp"
#include "temp_dir.hpp"
#include "token_mint.hpp"

using namespace pkibridge;
using namespace pkibridge::server;
using nlohmann::json;

namespace {

std::string code_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ServiceError& e) {
        return e.code();
    }
    return "no error";
}

struct Signer {
    testing::TempDir dir;
    pkcs::TestCa ca =
        pkcs::TestCa::init(dir.path() / "ca", pkcs::TestCaInitOptions{pkcs::KeySpec::EcP256});
    pkcs::IssuedPair pair = ca.issue([] {
        pkcs::IssueOptions o;
        o.name = "Token Tester";
        o.national_id = "A123456789";
        return o;
    }());
    pkcs::ExternalSigner signer = pkcs::software_signer(
        pair.sign.certificate, pkcs::EvpPkeyPtr(EVP_PKEY_dup(pair.sign.key.get())));
};

}  // namespace

TEST_CASE("a well-formed token parses into certificate, CMS and content", "[token]") {
    Signer s;
    testing::MintOptions o;
    o.origin = "https://portal.example";
    o.nonce = "n0nce";
    o.issued_at = "2025-01-31T12:00:00Z";
    json token = testing::mint_token(s.signer, o);
    LoginToken t = parse_login_token(token);
    CHECK(pkcs::Certificate::from_der(t.certificate_der) == s.pair.sign.certificate);
    CHECK_FALSE(t.cms_der.empty());
    AuthContent c = parse_auth_content(pkcs::as_bytes(testing::auth_content(o)));
    CHECK(c.origin == "https://portal.example");
    CHECK(c.nonce == "n0nce");
    CHECK(parse_issued_at(c.issued_at) == 1738324800);
    // The token may also arrive as a string holding its JSON.
    CHECK(parse_login_token(json(token.dump())).cms_der == t.cms_der);
}

TEST_CASE("token shape errors have their own codes", "[token]") {
    Signer s;
    testing::MintOptions o;
    o.origin = "https://portal.example";
    o.nonce = "n";
    json good = testing::mint_token(s.signer, o);

    CHECK(code_of([] { parse_login_token(json(42)); }) == "token-malformed");
    CHECK(code_of([] { parse_login_token(json("{not json")); }) == "token-malformed");
    CHECK(code_of([] { parse_login_token(json::array()); }) == "token-malformed");
    json t = good;
    t.erase("pkcs7");
    CHECK(code_of([&] { parse_login_token(t); }) == "token-malformed");
    t = good;
    t["certificate"] = 5;
    CHECK(code_of([&] { parse_login_token(t); }) == "token-malformed");
    t = good;
    t["pkcs7"] = "***not base64***";
    CHECK(code_of([&] { parse_login_token(t); }) == "token-malformed");
    t = good;
    t["format"] = "pkibridge-auth:2";
    CHECK(code_of([&] { parse_login_token(t); }) == "token-format");
    t = good;
    t["certificate"] = "";
    CHECK(code_of([&] { parse_login_token(t); }) == "token-malformed");
}

TEST_CASE("signed content errors", "[token]") {
    auto content = [](const std::string& s) {
        return code_of([&] { parse_auth_content(pkcs::as_bytes(s)); });
    };
    CHECK(content("not json") == "content-malformed");
    CHECK(content("[1,2]") == "content-malformed");
    CHECK(content(R"({"format":"pkibridge-auth:1","origin":"o","nonce":"n"})") ==
          "content-malformed");
    CHECK(content(R"({"format":"pkibridge-auth:1","origin":1,"nonce":"n","issuedAt":"x"})") ==
          "content-malformed");
    CHECK(content(R"({"format":"other","origin":"o","nonce":"n","issuedAt":"x"})") ==
          "content-format");
    CHECK(content("{\"format\":\"pkibridge-auth:1\",\"origin\":\"\xff\",\"nonce\":\"n\"}") ==
          "content-malformed");
    CHECK(content(R"({"format":"pkibridge-auth:1","origin":"o","nonce":"n","issuedAt":"x"})") ==
          "no error");
    CHECK(code_of([] { parse_issued_at("yesterday"); }) == "issued-at-malformed");
}
