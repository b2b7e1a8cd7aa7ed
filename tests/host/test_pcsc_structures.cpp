// Pure PC/SC structures: the feature list and the PIN_VERIFY_STRUCTURE; PC/SC status mapping.
#include <catch2/catch.hpp>

#include <reader.h>

#include <cstring>

#include "apdu/apdu_error.hpp"
#include "pcsc/pcsc_error.hpp"
#include "pcsc/pin_verify_structure.hpp"
#include "pcsc/reader_features.hpp"

using namespace pkibridge::host;
using namespace pkibridge::host::pcsc;
using pkibridge::pkcs::Bytes;

TEST_CASE("feature lists parse", "[pcsc]") {
    const Bytes list = {FEATURE_VERIFY_PIN_DIRECT,  4, 0x42, 0x33, 0x00, 0x06,
                        FEATURE_IFD_PIN_PROPERTIES, 4, 0x42, 0x33, 0x00, 0x0A};
    const ReaderFeatures f = parse_reader_features(list);
    CHECK(f.pin_pad());
    CHECK(f.code(FEATURE_VERIFY_PIN_DIRECT) == std::optional<std::uint32_t>(0x42330006));
    CHECK_FALSE(parse_reader_features(Bytes{}).pin_pad());
    CHECK_THROWS_AS(parse_reader_features(Bytes{0x06, 4, 0x42}), apdu::MalformedResponse);
    CHECK_THROWS_AS(parse_reader_features(Bytes{0x06, 2, 0x42, 0x33}), apdu::MalformedResponse);
    CHECK_THROWS_AS(parse_reader_features(Bytes{0x06}), apdu::MalformedResponse);
}

TEST_CASE("PIN_VERIFY_STRUCTURE matches reader.h", "[pcsc]") {
    PinPadVerifyRequest r;
    r.verify_apdu = {0x00, 0x20, 0x00, 0x80, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    const SecureBytes s = build_pin_verify_structure(r);
    REQUIRE(s.size() == sizeof(PIN_VERIFY_STRUCTURE) + 13);
    PIN_VERIFY_STRUCTURE header;
    std::memcpy(&header, s.data(), sizeof header);
    CHECK(header.bmFormatString == 0x82);
    CHECK(header.bmPINBlockString == 0x08);
    // Packed fields are copied out first: Catch would bind misaligned references.
    const std::uint16_t digits = header.wPINMaxExtraDigit;
    const std::uint16_t language = header.wLangId;
    const std::uint32_t data_length = header.ulDataLength;
    CHECK(digits == 0x0608);
    CHECK(header.bEntryValidationCondition == 0x02);
    CHECK(language == 0x0409);
    CHECK(data_length == 13);
    CHECK(s[sizeof header] == 0x00);
    CHECK(s[sizeof header + 1] == 0x20);
    r.verify_apdu = {0x00, 0x20};
    CHECK_THROWS_AS(build_pin_verify_structure(r), std::invalid_argument);
}

TEST_CASE("every PC/SC status maps to a failure kind", "[pcsc]") {
    CHECK(classify(SCARD_E_NO_SERVICE) == PcscFailure::ServiceUnavailable);
    CHECK(classify(SCARD_E_SERVICE_STOPPED) == PcscFailure::ServiceUnavailable);
    CHECK(classify(SCARD_E_NO_READERS_AVAILABLE) == PcscFailure::NoReaders);
    CHECK(classify(SCARD_E_NO_SMARTCARD) == PcscFailure::NoCard);
    CHECK(classify(SCARD_W_REMOVED_CARD) == PcscFailure::CardRemoved);
    CHECK(classify(SCARD_W_RESET_CARD) == PcscFailure::CardReset);
    CHECK(classify(SCARD_E_READER_UNAVAILABLE) == PcscFailure::ReaderUnavailable);
    CHECK(classify(SCARD_E_SHARING_VIOLATION) == PcscFailure::SharingViolation);
    CHECK(classify(SCARD_E_TIMEOUT) == PcscFailure::Timeout);
    CHECK(classify(SCARD_E_CANCELLED) == PcscFailure::Cancelled);
    CHECK(classify(SCARD_W_UNRESPONSIVE_CARD) == PcscFailure::UnresponsiveCard);
    CHECK(classify(SCARD_E_INVALID_PARAMETER) == PcscFailure::Other);
    try {
        throw_pcsc(SCARD_E_NO_SMARTCARD, "connecting");
    } catch (const PcscError& e) {
        CHECK(e.failure() == PcscFailure::NoCard);
        CHECK(std::string(e.what()).find("connecting: ") == 0);
        CHECK(std::string(e.what()).find("0x8010000C") != std::string::npos);
    }
}
