// The server's time source. Everything that expires (challenges, sessions, cached chains)
// asks a Clock, so tests can move time instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace pkibridge::server {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
    std::int64_t now_unix() const {
        return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
    }
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to (tests).
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start = std::chrono::system_clock::now()) : ms_(to_ms(start)) {}
    TimePoint now() const override {
        return TimePoint(std::chrono::milliseconds(ms_.load(std::memory_order_relaxed)));
    }
    void advance(std::chrono::milliseconds by) { ms_.fetch_add(by.count()); }
    void set(TimePoint t) { ms_.store(to_ms(t)); }

private:
    static std::int64_t to_ms(TimePoint t) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    }
    std::atomic<std::int64_t> ms_;
};

inline std::int64_t to_unix(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline std::int64_t to_unix_ms(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace pkibridge::server
