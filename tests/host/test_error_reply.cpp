// The messaging boundary: typed errors become protocol codes with their details.
#include <catch2/catch.hpp>

#include "apdu/apdu_error.hpp"
#include "card/card_error.hpp"
#include "commands/certificate_id.hpp"
#include "commands/command_error.hpp"
#include "messaging/error_reply.hpp"
#include "pcsc/pcsc_error.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "protocol/request.hpp"

using namespace pkibridge::host;
using protocol::ErrorCode;

namespace {

template <class E>
messaging::ErrorReply map(E error) {
    return messaging::error_reply_for(std::make_exception_ptr(std::move(error)));
}

}  // namespace

TEST_CASE("each layer's errors map to protocol codes", "[errors]") {
    CHECK(map(pcsc::PcscError(pcsc::PcscFailure::ServiceUnavailable, 0, "x")).code ==
          ErrorCode::PcscUnavailable);
    CHECK(map(pcsc::PcscError(pcsc::PcscFailure::NoReaders, 0, "x")).code == ErrorCode::NoReader);
    CHECK(map(pcsc::PcscError(pcsc::PcscFailure::NoCard, 0, "x")).code == ErrorCode::NoCard);
    CHECK(map(pcsc::PcscError(pcsc::PcscFailure::CardRemoved, 0, "x")).code ==
          ErrorCode::CardRemoved);
    CHECK(map(pcsc::PcscError(pcsc::PcscFailure::SharingViolation, 0, "x")).code ==
          ErrorCode::Busy);
    CHECK(map(pcsc::PcscError(pcsc::PcscFailure::Timeout, 0, "x")).code == ErrorCode::Timeout);

    const auto wrong = map(card::CardError(card::CardFailure::PinIncorrect, "wrong", 2, 0x63C2));
    CHECK(wrong.code == ErrorCode::PinIncorrect);
    CHECK(wrong.details["triesLeft"] == 2);
    CHECK(wrong.details["statusWord"] == "63C2");
    CHECK(map(card::CardError(card::CardFailure::UnsupportedKey, "x")).code ==
          ErrorCode::UnsupportedCard);
    CHECK(map(apdu::MalformedResponse("x")).code == ErrorCode::CardError);

    const auto blocked =
        map(commands::CommandError(commands::CommandFailure::PinBlocked, "blocked",
                                   {{"unblockUrl", "https://moica.nat.gov.tw/unblockcard.html"}}));
    CHECK(blocked.code == ErrorCode::PinBlocked);
    const auto message = messaging::error_message("r7", blocked);
    CHECK(message["id"] == "r7");
    CHECK(message["error"]["code"] == "ERR_PIN_BLOCKED");
    CHECK(message["error"]["unblockUrl"] == "https://moica.nat.gov.tw/unblockcard.html");
    CHECK(message["error"]["message"] == "blocked");

    CHECK(map(commands::CommandError(commands::CommandFailure::OriginNotAllowed, "x")).code ==
          ErrorCode::OriginNotAllowed);
    CHECK(map(commands::CommandError(commands::CommandFailure::Cancelled, "x")).code ==
          ErrorCode::UserCancelled);
    CHECK(map(protocol::RequestError(ErrorCode::UnknownCommand, "x")).code ==
          ErrorCode::UnknownCommand);
    CHECK(map(pkibridge::pkcs::PkcsError(pkibridge::pkcs::ErrorCode::Crypto, "x")).code ==
          ErrorCode::Internal);
    CHECK(map(std::runtime_error("boom")).code == ErrorCode::Internal);
    CHECK(messaging::error_reply_for(std::make_exception_ptr(42)).code == ErrorCode::Internal);
}

TEST_CASE("certificate ids", "[errors][ids]") {
    const std::string fp(64, 'a');
    const auto parts = commands::parse_certificate_id(fp + ":piv:9c");
    REQUIRE(parts);
    CHECK(parts->fingerprint == fp);
    CHECK(parts->driver == "piv");
    CHECK(parts->key_ref == "9c");
    CHECK_FALSE(commands::parse_certificate_id("x"));
    CHECK_FALSE(commands::parse_certificate_id(fp + ":piv"));
    CHECK_FALSE(commands::parse_certificate_id(std::string(63, 'a') + ":piv:9c"));
    CHECK_FALSE(commands::parse_certificate_id(std::string(64, 'A') + ":piv:9c"));
    CHECK_FALSE(commands::parse_certificate_id(fp + "::9c"));
    CHECK_FALSE(commands::parse_certificate_id(fp + ":piv:"));
    CHECK_FALSE(commands::parse_certificate_id(fp + ":piv:9c/.."));
}
