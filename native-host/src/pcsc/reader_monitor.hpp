// Watches every reader for card insertion and removal on its own thread and reports each
// change through a callback. Survives pcscd going away and coming back (it retries).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::pcsc {

struct CardEvent {
    enum class Kind { Inserted, Removed } kind;
    std::string reader;
    pkcs::Bytes atr;  // the new card's ATR (inserted only)
};

class ReaderMonitor {
public:
    using Callback = std::function<void(const CardEvent&)>;

    explicit ReaderMonitor(Callback callback,
                           std::chrono::milliseconds retry_interval = std::chrono::seconds(2));
    ~ReaderMonitor();  // stops and joins
    ReaderMonitor(const ReaderMonitor&) = delete;
    ReaderMonitor& operator=(const ReaderMonitor&) = delete;

    void start();
    void stop() noexcept;

private:
    void run();
    void watch_once();
    void report_changes(const std::map<std::string, pkcs::Bytes>& now);

    Callback callback_;
    std::chrono::milliseconds retry_interval_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;  // guards cancel_ and the sleeping between retries
    std::condition_variable cv_;
    std::function<void()> cancel_;  // cancels the wait of the current context
    // Monitor thread only: cards seen at the last check (reader -> ATR).
    std::map<std::string, pkcs::Bytes> present_;
    bool started_ = false;
};

}  // namespace pkibridge::host::pcsc
