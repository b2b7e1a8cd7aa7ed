// PIN format rules and the PIN broker's hand-over between threads.
#include <catch2/catch.hpp>

#include <thread>

#include "card/pin_policy.hpp"
#include "commands/command_error.hpp"
#include "commands/pin_broker.hpp"

using namespace pkibridge::host;
using namespace std::chrono_literals;
using pkibridge::pkcs::SecretString;

TEST_CASE("PIV PIN format: 6 to 8 digits", "[pin]") {
    const card::PinPolicy piv{6, 8, true};
    CHECK_FALSE(card::pin_format_problem(piv, "123456"));
    CHECK_FALSE(card::pin_format_problem(piv, "12345678"));
    CHECK(card::pin_format_problem(piv, "12345"));
    CHECK(card::pin_format_problem(piv, "123456789"));
    CHECK(card::pin_format_problem(piv, "12345a"));
    CHECK(card::pin_format_problem(piv, ""));
    CHECK(card::pin_format_problem(piv, std::string("1234\0"
                                                    "56",
                                                    7)));
    CHECK(card::pin_format_problem(piv, "12345６"));  // full-width digit
    const auto message = card::pin_format_problem(piv, "98765");
    REQUIRE(message);
    CHECK(message->find("98765") == std::string::npos);  // never echoes the PIN
    const card::PinPolicy text{4, 16, false};
    CHECK_FALSE(card::pin_format_problem(text, "abcd!"));
    CHECK(card::pin_format_problem(text, "ab\ncd"));
}

namespace {
const card::PinPolicy kPiv{6, 8, true};
}

TEST_CASE("a delivered PIN reaches the waiting request", "[broker]") {
    commands::PinBroker broker;
    Cancellation cancel;
    std::thread sender([&] {
        while (!broker.waiting_for("r1")) std::this_thread::sleep_for(1ms);
        std::string problem;
        CHECK(broker.deliver("other", SecretString("123456"), problem) ==
              commands::PinBroker::Delivery::NotWaiting);
        CHECK(broker.deliver("r1", SecretString("12"), problem) ==
              commands::PinBroker::Delivery::BadFormat);
        CHECK_FALSE(problem.empty());
        CHECK(broker.deliver("r1", SecretString("654321"), problem) ==
              commands::PinBroker::Delivery::Accepted);
    });
    const SecretString pin = broker.wait("r1", kPiv, 5s, cancel, nullptr, 50ms);
    sender.join();
    CHECK(pin.value() == "654321");
    CHECK_FALSE(broker.waiting_for("r1"));
    std::string problem;
    CHECK(broker.deliver("r1", SecretString("654321"), problem) ==
          commands::PinBroker::Delivery::NotWaiting);
}

TEST_CASE("waiting ends on cancel, timeout or a failing poll", "[broker]") {
    commands::PinBroker broker;
    SECTION("cancel") {
        Cancellation cancel;
        std::thread canceller([&] {
            while (!broker.waiting_for(1)) std::this_thread::sleep_for(1ms);
            cancel.cancel();
            broker.wake();
        });
        const auto start = std::chrono::steady_clock::now();
        try {
            broker.wait(1, kPiv, 10s, cancel, nullptr, 5s);
            FAIL("no exception");
        } catch (const commands::CommandError& e) {
            CHECK(e.failure() == commands::CommandFailure::Cancelled);
        }
        canceller.join();
        CHECK(std::chrono::steady_clock::now() - start < 2s);
    }
    SECTION("timeout") {
        Cancellation cancel;
        try {
            broker.wait(1, kPiv, 100ms, cancel, nullptr, 20ms);
            FAIL("no exception");
        } catch (const commands::CommandError& e) {
            CHECK(e.failure() == commands::CommandFailure::Timeout);
        }
    }
    SECTION("poll") {
        Cancellation cancel;
        int polls = 0;
        CHECK_THROWS_WITH(broker.wait(
                              1, kPiv, 10s, cancel,
                              [&] {
                                  if (++polls == 3) throw std::runtime_error("card gone");
                              },
                              10ms),
                          "card gone");
        CHECK(polls == 3);
    }
    CHECK_FALSE(broker.waiting_for(1));
}

TEST_CASE("a PIN sent in answer to the prompt is never lost", "[broker]") {
    // The prompt goes out only once the request is registered: answer from inside ask().
    commands::PinBroker broker;
    Cancellation cancel;
    const SecretString pin = broker.wait("fast", kPiv, 5s, cancel, nullptr, 50ms, [&] {
        std::string problem;
        CHECK(broker.deliver("fast", SecretString("123456"), problem) ==
              commands::PinBroker::Delivery::Accepted);
    });
    CHECK(pin.value() == "123456");
}
