#include "commands/pin_broker.hpp"

#include "commands/command_error.hpp"

namespace pkibridge::host::commands {

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
    return std::to_string(d.count()) + " ms";
}

}  // namespace

pkcs::SecretString PinBroker::wait(const nlohmann::json& request_id, const card::PinPolicy& policy,
                                   std::chrono::milliseconds timeout,
                                   const Cancellation& cancellation,
                                   const std::function<void()>& poll,
                                   std::chrono::milliseconds poll_interval,
                                   const std::function<void()>& ask) {
    std::unique_lock lock(mutex_);
    waiting_id_ = request_id;
    policy_ = policy;
    pin_.reset();
    struct Clear {
        PinBroker* self;
        ~Clear() {
            self->waiting_id_.reset();
            self->pin_.reset();  // wipes a PIN that arrived too late
        }
    } clear{this};  // runs with the lock held (declared after it)

    if (ask) {
        lock.unlock();  // the extension may answer before ask() even returns
        try {
            ask();
        } catch (...) {
            lock.lock();
            throw;
        }
        lock.lock();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (pin_) {
            pkcs::SecretString pin = std::move(*pin_);
            pin_.reset();
            return pin;
        }
        if (cancellation.cancelled())
            throw CommandError(CommandFailure::Cancelled, "the request was cancelled");
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            throw CommandError(CommandFailure::Timeout,
                               "no PIN arrived within " + seconds_text(timeout));
        cv_.wait_until(lock, std::min(deadline, now + poll_interval));
        if (!pin_ && !cancellation.cancelled() && poll) {
            lock.unlock();  // the poll talks to PC/SC; do not block deliver() meanwhile
            try {
                poll();
            } catch (...) {
                lock.lock();
                throw;
            }
            lock.lock();
        }
    }
}

PinBroker::Delivery PinBroker::deliver(const nlohmann::json& request_id, pkcs::SecretString pin,
                                       std::string& problem) {
    {
        std::lock_guard lock(mutex_);
        if (!waiting_id_ || *waiting_id_ != request_id) return Delivery::NotWaiting;
        if (auto p = card::pin_format_problem(policy_, pin.value())) {
            problem = *p;
            return Delivery::BadFormat;
        }
        pin_ = std::move(pin);
    }
    cv_.notify_all();
    return Delivery::Accepted;
}

void PinBroker::wake() {
    { std::lock_guard lock(mutex_); }
    cv_.notify_all();
}

bool PinBroker::waiting_for(const nlohmann::json& request_id) const {
    std::lock_guard lock(mutex_);
    return waiting_id_ && *waiting_id_ == request_id;
}

}  // namespace pkibridge::host::commands
