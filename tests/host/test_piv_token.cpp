// The PIV driver against a real (in-process) virtual PIV card provisioned from the test CA.
#include <catch2/catch.hpp>

#include "card/card_error.hpp"
#include "pcsc/pcsc_error.hpp"
#include "piv/piv_session.hpp"
#include "piv/piv_token.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "pkibridge/vcard/provision.hpp"
#include "support/in_process_card.hpp"

using namespace pkibridge;
using namespace pkibridge::host;
using host_test::InProcessChannel;
using pkcs::KeySpec;

namespace {

struct Fixture {
    host_test::ProvisionedCard provisioned;
    vcard::PivCard card;
    InProcessChannel* channel = nullptr;
    std::unique_ptr<piv::PivToken> token;

    explicit Fixture(KeySpec key)
        : provisioned(host_test::provisioned_card(key)),
          card(vcard::CardState(std::move(provisioned.state))) {
        auto ch = std::make_unique<InProcessChannel>(card);
        channel = ch.get();
        token = piv::PivToken::open(std::move(ch));
        REQUIRE(token);
    }
};

card::CardFailure failure_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const card::CardError& e) {
        return e.failure();
    }
    FAIL("no CardError");
    return card::CardFailure::OperationFailed;
}

}  // namespace

TEST_CASE("the driver lists the provisioned certificates", "[piv][card]") {
    Fixture f(KeySpec::EcP256);
    CHECK(f.token->description().card_type == "PIV");
    CHECK_FALSE(f.token->description().pin_pad);
    const auto keys = f.token->keys();
    REQUIRE(keys.size() == 2);
    CHECK(keys[0].key_ref == "9a");
    CHECK(keys[0].authentication_key);
    CHECK(keys[0].certificate == f.provisioned.pair.auth.certificate);
    CHECK(keys[1].key_ref == "9c");
    CHECK(keys[1].certificate == f.provisioned.pair.sign.certificate);
    CHECK(keys[1].label == "Digital Signature (9C)");
    CHECK(f.token->key("9c")->certificate == f.provisioned.pair.sign.certificate);
    CHECK_FALSE(f.token->key("9d"));
    CHECK_FALSE(f.token->key("zz"));
    CHECK(f.token->card_serial() == std::optional<std::string>(vcard::card_serial(f.card.state())));
}

TEST_CASE("EC signatures verify with the certificate", "[piv][card]") {
    Fixture f(KeySpec::EcP256);
    const auto key = *f.token->key("9c");
    for (auto alg :
         {pkcs::HashAlgorithm::Sha256, pkcs::HashAlgorithm::Sha384, pkcs::HashAlgorithm::Sha512}) {
        const pkcs::Bytes digest = pkcs::digest(alg, pkcs::as_bytes("document"));
        auto session = f.token->open_session();
        const pkcs::SecretString pin("123456");
        session->login(&pin);
        const pkcs::Bytes sig =
            session->sign_digest(key, digest, alg, pkcs::SignatureScheme::Ecdsa);
        CHECK(pkcs::raw_verify(key.certificate.public_key(), digest, alg,
                               pkcs::SignatureScheme::Ecdsa, sig));
    }
    CHECK_FALSE(f.card.pin_verified());  // every session logs out
}

TEST_CASE("RSA PKCS#1 v1.5 and PSS signatures verify", "[piv][card]") {
    Fixture f(KeySpec::Rsa2048);
    const auto key = *f.token->key("9c");
    const pkcs::Bytes digest =
        pkcs::digest(pkcs::HashAlgorithm::Sha256, pkcs::as_bytes("document"));
    for (auto scheme : {pkcs::SignatureScheme::RsaPkcs1, pkcs::SignatureScheme::RsaPss}) {
        auto session = f.token->open_session();
        const pkcs::SecretString pin("123456");
        session->login(&pin);
        const pkcs::Bytes sig =
            session->sign_digest(key, digest, pkcs::HashAlgorithm::Sha256, scheme);
        CHECK(sig.size() == 256);
        CHECK(pkcs::raw_verify(key.certificate.public_key(), digest, pkcs::HashAlgorithm::Sha256,
                               scheme, sig));
    }
    auto session = f.token->open_session();
    CHECK(failure_of([&] {
              session->sign_digest(key, digest, pkcs::HashAlgorithm::Sha256,
                                   pkcs::SignatureScheme::Ecdsa);
          }) == card::CardFailure::UnsupportedKey);
}

TEST_CASE("signing without a PIN is refused by the card", "[piv][card]") {
    Fixture f(KeySpec::EcP256);
    const auto key = *f.token->key("9c");
    auto session = f.token->open_session();
    CHECK(failure_of([&] {
              session->sign_digest(key, pkcs::Bytes(32, 1), pkcs::HashAlgorithm::Sha256,
                                   pkcs::SignatureScheme::Ecdsa);
          }) == card::CardFailure::NotLoggedIn);
}

TEST_CASE("wrong PINs count down, block, and a blocked card gets no PIN", "[piv][card]") {
    Fixture f(KeySpec::EcP256);
    CHECK(f.token->pin_status().tries_left == std::optional<int>(3));
    const pkcs::SecretString wrong("000000");
    for (int expected : {2, 1}) {
        auto session = f.token->open_session();
        try {
            session->login(&wrong);
            FAIL("wrong PIN accepted");
        } catch (const card::CardError& e) {
            CHECK(e.failure() == card::CardFailure::PinIncorrect);
            CHECK(e.tries_left() == std::optional<int>(expected));
        }
    }
    // A correct PIN resets the counter.
    {
        auto session = f.token->open_session();
        const pkcs::SecretString right("123456");
        session->login(&right);
    }
    CHECK(f.token->pin_status().tries_left == std::optional<int>(3));
    for (int i = 0; i < 2; ++i) {
        auto session = f.token->open_session();
        CHECK(failure_of([&] { session->login(&wrong); }) == card::CardFailure::PinIncorrect);
    }
    {
        auto session = f.token->open_session();
        CHECK(failure_of([&] { session->login(&wrong); }) == card::CardFailure::PinBlocked);
    }
    CHECK(f.token->pin_status().blocked);
    const int attempts = f.channel->pin_verifications();
    {
        auto session = f.token->open_session();
        const pkcs::SecretString right("123456");
        CHECK(failure_of([&] { session->login(&right); }) == card::CardFailure::PinBlocked);
    }
    CHECK(f.channel->pin_verifications() == attempts);  // no PIN was sent to the blocked card
}

TEST_CASE("a badly formed PIN never reaches the card", "[piv][card]") {
    Fixture f(KeySpec::EcP256);
    auto session = f.token->open_session();  // selects the application
    const std::size_t before = f.channel->commands.size();
    for (const char* pin : {"12345", "123456789", "12a456", ""}) {
        const pkcs::SecretString s(pin);
        CHECK(failure_of([&] { session->login(&s); }) == card::CardFailure::PinFormat);
    }
    CHECK(f.channel->commands.size() == before);
    CHECK(f.token->pin_status().tries_left == std::optional<int>(3));
}

TEST_CASE("a pulled card surfaces as a PC/SC card-removed error", "[piv][card]") {
    Fixture f(KeySpec::EcP256);
    f.channel->present = false;
    try {
        f.token->keys();
        FAIL("no error");
    } catch (const host::pcsc::PcscError& e) {
        CHECK(e.failure() == host::pcsc::PcscFailure::CardRemoved);
    }
    CHECK_THROWS_AS(f.token->ensure_present(), host::pcsc::PcscError);
}

TEST_CASE("EC challenges are fitted to the curve", "[piv]") {
    const auto pair = host_test::provisioned_card(KeySpec::EcP256).pair;
    const pkcs::Bytes long_digest(64, 0xAB);
    const auto r =
        piv::prepare_signature(pair.sign.certificate, long_digest, pkcs::HashAlgorithm::Sha512,
                               pkcs::SignatureScheme::Ecdsa);
    CHECK(r.algorithm == 0x11);
    CHECK(r.challenge == pkcs::Bytes(32, 0xAB));
}
