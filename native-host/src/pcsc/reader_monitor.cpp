#include "pcsc/reader_monitor.hpp"

#include "core/log.hpp"
#include "pcsc/pcsc_context.hpp"
#include "pcsc/pcsc_error.hpp"

namespace pkibridge::host::pcsc {

ReaderMonitor::ReaderMonitor(Callback callback, std::chrono::milliseconds retry_interval)
    : callback_(std::move(callback)), retry_interval_(retry_interval) {}

ReaderMonitor::~ReaderMonitor() {
    stop();
}

void ReaderMonitor::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void ReaderMonitor::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (cancel_) cancel_();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ReaderMonitor::run() {
    while (!stopping_) {
        try {
            watch_once();
        } catch (const PcscError& e) {
            if (e.failure() != PcscFailure::Cancelled)
                log::debug(std::string("card monitor: ") + e.what());
            // Without pcscd no card is reachable: report the known ones as removed.
            if (e.failure() == PcscFailure::ServiceUnavailable) report_changes({});
        } catch (const std::exception& e) {
            log::warning(std::string("card monitor: ") + e.what());
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, retry_interval_, [&] { return stopping_.load(); });
    }
}

void ReaderMonitor::report_changes(const std::map<std::string, pkcs::Bytes>& now) {
    for (const auto& [reader, atr] : present_) {
        auto it = now.find(reader);
        if (it == now.end() || it->second != atr)
            callback_(CardEvent{CardEvent::Kind::Removed, reader, {}});
    }
    for (const auto& [reader, atr] : now) {
        auto it = present_.find(reader);
        if (it == present_.end() || it->second != atr)
            callback_(CardEvent{CardEvent::Kind::Inserted, reader, atr});
    }
    present_ = now;
}

// Watches with one context until pcscd goes away, the monitor stops, or an error happens.
void ReaderMonitor::watch_once() {
    PcscContext context = PcscContext::establish();
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        cancel_ = [&context] { context.cancel(); };
    }
    struct ClearCancel {
        ReaderMonitor* self;
        ~ClearCancel() {
            std::lock_guard lock(self->mutex_);
            self->cancel_ = nullptr;
        }
    } clear{this};

    while (!stopping_) {
        // Learn the PnP state before listing, so a reader added meanwhile still wakes us.
        std::vector<ReaderState> pnp{ReaderState{kPnpNotification, SCARD_STATE_UNAWARE, {}}};
        context.wait_for_change(pnp, std::chrono::milliseconds(0));
        std::vector<ReaderState> states = context.reader_states(context.list_readers());

        // Compare with what we knew; the very first pass only learns (no events at start-up).
        std::map<std::string, pkcs::Bytes> now;
        for (const auto& s : states)
            if (s.card_present() && !s.mute()) now[s.reader] = s.atr;
        if (!started_) present_ = now;  // first sight: learn, report nothing
        report_changes(now);
        started_ = true;

        states.push_back(std::move(pnp.front()));
        // Bounded waits: a stop() racing with the start of a wait is seen within a second.
        while (!stopping_) {
            if (context.wait_for_change(states, std::chrono::seconds(1))) break;
        }
    }
}

}  // namespace pkibridge::host::pcsc
