// Request envelope and argument validation.
#include <catch2/catch.hpp>

#include "pkibridge/pkcs/bytes.hpp"
#include "protocol/arguments.hpp"
#include "protocol/request.hpp"

using namespace pkibridge::host::protocol;
using nlohmann::json;

namespace {

ErrorCode code_of(const std::string& body) {
    try {
        parse_request(body);
    } catch (const RequestError& e) {
        return e.code();
    }
    FAIL("no error for " << body);
    return ErrorCode::Internal;
}

}  // namespace

TEST_CASE("a valid request parses", "[request]") {
    const Request r = parse_request(
        R"({"id":"a1","command":"sign","origin":"https://x.example","arguments":{"k":1}})");
    CHECK(r.id == "a1");
    CHECK(r.command == Command::Sign);
    CHECK(r.origin == std::optional<std::string>("https://x.example"));
    CHECK(r.arguments["k"] == 1);
    CHECK(parse_request(R"({"id":7,"command":"status"})").arguments.empty());
}

TEST_CASE("malformed requests are BAD_REQUEST", "[request]") {
    CHECK(code_of("") == ErrorCode::BadRequest);
    CHECK(code_of("{") == ErrorCode::BadRequest);
    CHECK(code_of("[1,2]") == ErrorCode::BadRequest);
    CHECK(code_of("\"text\"") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"command":"status"})") == ErrorCode::BadRequest);  // no id
    CHECK(code_of(R"({"id":null,"command":"status"})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":1.5,"command":"status"})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":"","command":"status"})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":1,"command":7})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":1,"command":"status","origin":5})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":1,"command":"status","arguments":[]})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":1,"command":"status","extra":true})") == ErrorCode::BadRequest);
    CHECK(code_of("{\"id\":1,\"command\":\"st\xff\"}") == ErrorCode::BadRequest);  // bad UTF-8
    CHECK(code_of("{\"id\":1,\"command\":\"\xc3\x28\"}") == ErrorCode::BadRequest);
    // A number too large for a double is nlohmann's out_of_range, not a parse error.
    CHECK(code_of(R"({"id":1E999999,"command":"status"})") == ErrorCode::BadRequest);
    CHECK(code_of(R"({"id":1,"command":"status","arguments":{"n":-5E5555555}})") ==
          ErrorCode::BadRequest);
}

TEST_CASE("unknown commands keep their id", "[request]") {
    try {
        parse_request(R"({"id":"q","command":"format-disk"})");
        FAIL("accepted");
    } catch (const RequestError& e) {
        CHECK(e.code() == ErrorCode::UnknownCommand);
        CHECK(e.id() == "q");
    }
}

TEST_CASE("deep nesting is refused before parsing", "[request]") {
    CHECK(json_depth_within(R"({"a":[{"b":1}]})", 3));
    CHECK_FALSE(json_depth_within(R"({"a":[{"b":[]}]})", 3));
    CHECK(json_depth_within(R"({"a":"[[[[[[[[[[[["})", 2));  // brackets inside strings
    CHECK(json_depth_within(R"({"a":"\"[[[["})", 2));
    const std::string deep(100000, '[');
    CHECK(code_of(deep) == ErrorCode::BadRequest);
}

TEST_CASE("sign arguments are checked", "[request][arguments]") {
    const json id = 1;
    const std::string b64 = pkibridge::pkcs::base64_encode(pkibridge::pkcs::as_bytes("hello"));
    const std::string hash32 = pkibridge::pkcs::base64_encode(pkibridge::pkcs::Bytes(32, 7));

    auto ok = parse_sign_arguments({{"certificateId", "x"}, {"data", b64}}, id);
    CHECK(ok.format == SignFormat::CmsAttached);
    CHECK(pkibridge::pkcs::to_string(*ok.data) == "hello");

    auto detached = parse_sign_arguments({{"certificateId", "x"},
                                          {"hash", hash32},
                                          {"format", "cms-detached"},
                                          {"hashAlgorithm", "SHA-256"},
                                          {"nonce", b64},
                                          {"includeCardSerial", true}},
                                         id);
    CHECK(detached.hash->size() == 32);
    CHECK(detached.include_card_serial);

    auto bad = [&](json args) {
        try {
            parse_sign_arguments(args, id);
        } catch (const RequestError& e) {
            CHECK(e.code() == ErrorCode::BadRequest);
            CHECK(e.id() == id);
            return true;
        }
        return false;
    };
    CHECK(bad({{"data", b64}}));                                            // no certificateId
    CHECK(bad({{"certificateId", "x"}}));                                   // neither
    CHECK(bad({{"certificateId", "x"}, {"data", b64}, {"hash", hash32}}));  // both
    CHECK(bad({{"certificateId", "x"}, {"data", "not base64!"}}));
    CHECK(bad({{"certificateId", "x"}, {"hash", hash32}}));  // hash + attached
    CHECK(bad({{"certificateId", "x"},
               {"hash", hash32},
               {"format", "raw"},
               {"hashAlgorithm", "sha384"}}));
    CHECK(bad({{"certificateId", "x"}, {"data", b64}, {"format", "pdf"}}));
    CHECK(bad({{"certificateId", "x"}, {"data", b64}, {"format", "raw"}, {"nonce", b64}}));
    CHECK(bad({{"certificateId", "x"}, {"data", b64}, {"includeChain", "yes"}}));
    CHECK(bad({{"certificateId", "x"}, {"data", b64}, {"hashAlgorithm", "md5"}}));
    CHECK(bad({{"certificateId", "x"}, {"data", b64}, {"surprise", 1}}));
    CHECK(bad({{"certificateId", 5}, {"data", b64}}));
}

TEST_CASE("authenticate nonces must be 32-128 base64url characters", "[request][arguments]") {
    const json id = "r";
    const std::string good(43, 'A');
    CHECK(parse_authenticate_arguments({{"nonce", good}}, id).nonce == good);
    CHECK(parse_authenticate_arguments({{"nonce", std::string(128, '_')}}, id).nonce.size() == 128);
    auto bad = [&](json args) {
        try {
            parse_authenticate_arguments(args, id);
        } catch (const RequestError& e) {
            return e.code() == ErrorCode::BadRequest;
        }
        return false;
    };
    CHECK(bad(json::object()));
    CHECK(bad({{"nonce", std::string(31, 'A')}}));
    CHECK(bad({{"nonce", std::string(129, 'A')}}));
    CHECK(bad({{"nonce", std::string(40, 'A') + "+/="}}));
    CHECK(bad({{"nonce", good}, {"certificateId", 3}}));
}

TEST_CASE("pin arguments move the PIN out of the document", "[request][arguments]") {
    json args = {{"requestId", "s1"}, {"pin", "123456"}};
    PinArguments pin = parse_pin_arguments(args, 9);
    CHECK(pin.request_id == "s1");
    CHECK(pin.pin.value() == "123456");
    CHECK(args["pin"].get<std::string>().empty());

    json missing = {{"pin", "123456"}};
    CHECK_THROWS_AS(parse_pin_arguments(missing, 9), RequestError);
    json wrong = {{"requestId", "s1"}, {"pin", 123456}};
    CHECK_THROWS_AS(parse_pin_arguments(wrong, 9), RequestError);
}

TEST_CASE("cancel arguments", "[request][arguments]") {
    CHECK_FALSE(parse_cancel_arguments(json::object(), 1).request_id);
    CHECK(parse_cancel_arguments({{"requestId", 4}}, 1).request_id == json(4));
    CHECK_THROWS_AS(parse_cancel_arguments({{"requestId", json::array()}}, 1), RequestError);
    CHECK_THROWS_AS(parse_no_arguments({{"x", 1}}, 1, "status"), RequestError);
}
