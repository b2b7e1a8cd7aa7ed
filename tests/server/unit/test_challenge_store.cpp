#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "services/challenge_store.hpp"

#include <atomic>
#include <thread>
#include <vector>

using namespace pkibridge::server;
using namespace std::chrono_literals;

TEST_CASE("challenges are 32 random bytes in base64url and unique", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 300s, 1000);
    auto a = store.issue("session-a");
    auto b = store.issue("session-a");
    CHECK(a.nonce.size() == 43);
    CHECK(a.nonce.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(a.nonce != b.nonce);
    CHECK(a.expires_at == clock.now() + 300s);
}

TEST_CASE("a challenge is accepted once, then reported as replayed", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 300s, 1000);
    auto c = store.issue("s1");
    CHECK(store.consume(c.nonce, "s1") == ChallengeOutcome::Accepted);
    CHECK(store.consume(c.nonce, "s1") == ChallengeOutcome::Replayed);
    CHECK(store.consume(c.nonce, "s1") == ChallengeOutcome::Replayed);
}

TEST_CASE("an expired challenge is rejected and consumed", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 300s, 1000);
    auto c = store.issue("s1");
    clock.advance(299s);
    auto d = store.issue("s1");
    CHECK(store.consume(d.nonce, "s1") == ChallengeOutcome::Accepted);
    clock.advance(1s);  // exactly at expiry: no longer valid
    CHECK(store.consume(c.nonce, "s1") == ChallengeOutcome::Expired);
    CHECK(store.consume(c.nonce, "s1") == ChallengeOutcome::Replayed);
}

TEST_CASE("a challenge from another session is refused and left for its owner", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 300s, 1000);
    auto c = store.issue("owner");
    CHECK(store.consume(c.nonce, "attacker") == ChallengeOutcome::WrongSession);
    CHECK(store.consume(c.nonce, "") == ChallengeOutcome::WrongSession);
    CHECK(store.consume(c.nonce, "owner") == ChallengeOutcome::Accepted);
}

TEST_CASE("unknown nonces and forgotten ones", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 10s, 1000);
    CHECK(store.consume("never-issued", "s") == ChallengeOutcome::Unknown);
    auto c = store.issue("s");
    clock.advance(65s);
    CHECK(store.size() == 1);
    // Kept for at least a minute after expiry to report "expired" accurately, then forgotten.
    clock.advance(6s);
    store.issue("s");
    CHECK(store.size() == 1);
    CHECK(store.consume(c.nonce, "s") == ChallengeOutcome::Unknown);
}

TEST_CASE("the store is bounded", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 10s, 3);
    store.issue("a");
    store.issue("b");
    store.issue("c");
    try {
        store.issue("d");
        FAIL("expected capacity error");
    } catch (const ServiceError& e) {
        CHECK(e.code() == "challenge-capacity");
        CHECK(e.kind() == ErrorKind::Unavailable);
    }
    clock.advance(71s);
    CHECK_NOTHROW(store.issue("d"));
}

TEST_CASE("concurrent consumers: exactly one wins", "[challenge]") {
    ManualClock clock;
    ChallengeStore store(clock, 300s, 100000);
    for (int round = 0; round < 50; ++round) {
        auto c = store.issue("s");
        std::atomic<int> accepted{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&] {
                if (store.consume(c.nonce, "s") == ChallengeOutcome::Accepted) ++accepted;
            });
        }
        for (auto& t : threads) t.join();
        CHECK(accepted == 1);
    }
}
