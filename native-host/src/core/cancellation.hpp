// A cancellation flag shared between the thread that runs a request and the thread that
// reads the extension's messages. Waiters are woken when it is raised.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace pkibridge::host {

class Cancellation {
public:
    void cancel() {
        {
            std::lock_guard lock(mutex_);
            cancelled_ = true;
        }
        cv_.notify_all();
    }
    bool cancelled() const {
        std::lock_guard lock(mutex_);
        return cancelled_;
    }
    // Sleeps up to `duration`; returns early (true) when cancelled.
    template <class Rep, class Period>
    bool wait_for(std::chrono::duration<Rep, Period> duration) const {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, duration, [&] { return cancelled_; });
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    bool cancelled_ = false;
};

}  // namespace pkibridge::host
