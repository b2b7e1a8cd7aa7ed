#include "pkibridge/vcard/card_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/apdu_log.hpp"
#include "pkibridge/vcard/card_store.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv_card.hpp"
#include "pkibridge/vcard/provision.hpp"
#include "pkibridge/vcard/vpcd_link.hpp"

namespace pkibridge::vcard {

namespace {

// vpcd control frames (one byte).
constexpr std::uint8_t kPowerOff = 0x00;
constexpr std::uint8_t kPowerOn = 0x01;
constexpr std::uint8_t kReset = 0x02;
constexpr std::uint8_t kGetAtr = 0x04;

constexpr int kFirstBackoffMs = 50;
constexpr int kMaxBackoffMs = 1000;

// Self-pipe: signal handlers only write one byte naming what happened; the loop acts.
int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
    const int saved = errno;
    char c = sig == SIGUSR1 ? 'R' : sig == SIGUSR2 ? 'I' : 'T';
    [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &c, 1);
    errno = saved;
}

// Installs the handlers for the lifetime of serve() and restores the old ones.
class SignalScope {
public:
    SignalScope() {
        if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
            throw VcardError(VcardErrorCode::Io, "cannot create the signal pipe");
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int i = 0; i < 4; ++i) ::sigaction(kSignals[i], &sa, &old_[i]);
    }
    ~SignalScope() {
        for (int i = 0; i < 4; ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
        ::close(g_signal_pipe[0]);
        ::close(g_signal_pipe[1]);
        g_signal_pipe[0] = g_signal_pipe[1] = -1;
    }
    SignalScope(const SignalScope&) = delete;
    SignalScope& operator=(const SignalScope&) = delete;

private:
    static constexpr int kSignals[4] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2};
    struct sigaction old_[4]{};
};

class PidFile {
public:
    explicit PidFile(const std::optional<std::filesystem::path>& path) : path_(path) {
        if (!path_) return;
        std::string text = std::to_string(::getpid()) + "\n";
        pkcs::write_file_atomic(*path_, pkcs::as_bytes(text));
    }
    ~PidFile() {
        if (!path_) return;
        std::error_code ec;
        std::filesystem::remove(*path_, ec);
    }
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

private:
    std::optional<std::filesystem::path> path_;
};

class Server {
public:
    Server(const ServeOptions& options, std::ostream& diag)
        : options_(options),
          diag_(diag),
          lock_(options.dir),
          store_(options.dir),
          card_(store_.load(), &store_),
          inserted_(!options.start_removed) {
        if (options.log_file) log_ = std::make_unique<ApduLog>(*options.log_file);
    }

    void run() {
        diag_ << "vcard: serving card " << card_serial(card_.state()) << " from "
              << options_.dir.string() << " to vpcd at " << options_.host << ":" << options_.port
              << "\n"
              << std::flush;
        event(inserted_ ? "started" : "started removed");
        int backoff = kFirstBackoffMs;
        bool announced_wait = false;
        while (!stop_) {
            int timeout = -1;
            if (inserted_ && !link_) {
                link_ = VpcdLink::connect(options_.host, options_.port);
                if (link_) {
                    card_.reset();
                    backoff = kFirstBackoffMs;
                    announced_wait = false;
                    event("connected");
                    diag_ << "vcard: card inserted (connected to vpcd)\n" << std::flush;
                } else {
                    if (!announced_wait) {
                        diag_ << "vcard: vpcd not reachable, retrying\n" << std::flush;
                        announced_wait = true;
                    }
                    timeout = backoff;
                    backoff = std::min(backoff * 2, kMaxBackoffMs);
                }
            }
            pollfd fds[2] = {{g_signal_pipe[0], POLLIN, 0}, {link_ ? link_->fd() : -1, POLLIN, 0}};
            int rc = ::poll(fds, link_ ? 2 : 1, timeout);
            if (rc < 0 && errno != EINTR) throw VcardError(VcardErrorCode::Io, "poll failed");
            if (rc <= 0) continue;
            if (fds[0].revents & POLLIN) handle_signals();
            if (link_ && !stop_ && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) handle_frame();
        }
        if (link_) link_->close();
        event("stopped");
        diag_ << "vcard: stopped\n" << std::flush;
    }

private:
    void event(std::string_view what) {
        if (log_) log_->event(what);
    }

    void drop_link(const char* why) {
        link_.reset();
        card_.reset();
        event(why);
    }

    void handle_signals() {
        char buf[16];
        ssize_t n;
        while ((n = ::read(g_signal_pipe[0], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; ++i) {
                if (buf[i] == 'T') {
                    stop_ = true;
                } else if (buf[i] == 'R' && inserted_) {
                    inserted_ = false;
                    if (link_) drop_link("removed");
                    diag_ << "vcard: card removed\n" << std::flush;
                } else if (buf[i] == 'I' && !inserted_) {
                    inserted_ = true;
                    event("inserting");
                }
            }
        }
    }

    void handle_frame() {
        auto frame = link_->read_frame();
        if (!frame) {
            drop_link("disconnected");
            diag_ << "vcard: vpcd closed the link, reconnecting\n" << std::flush;
            return;
        }
        if (frame->empty()) return;
        if (frame->size() == 1) {
            switch ((*frame)[0]) {
                case kPowerOff:
                    card_.reset();
                    event("power-off");
                    return;
                case kPowerOn:
                    card_.reset();
                    event("power-on");
                    return;
                case kReset:
                    card_.reset();
                    event("reset");
                    return;
                case kGetAtr:
                    if (!link_->write_frame(PivCard::atr())) drop_link("disconnected");
                    return;
                default:
                    return;  // unknown control byte: no reply expected
            }
        }
        Bytes response = card_.process(*frame);
        if (log_) log_->command(*frame, response);
        pkcs::secure_zero(frame->data(), frame->size());
        if (!link_->write_frame(response)) drop_link("disconnected");
    }

    const ServeOptions& options_;
    std::ostream& diag_;
    CardDirectoryLock lock_;
    CardStore store_;
    PivCard card_;
    std::unique_ptr<ApduLog> log_;
    std::optional<VpcdLink> link_;
    bool inserted_;
    bool stop_ = false;
};

}  // namespace

void parse_vpcd_address(const std::string& text, ServeOptions& options) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw VcardError(VcardErrorCode::InvalidArgument, "--vpcd must be HOST:PORT");
    const std::string port = text.substr(colon + 1);
    unsigned long value = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || value > 65535)
            throw VcardError(VcardErrorCode::InvalidArgument, "bad port in --vpcd: " + port);
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535)
        throw VcardError(VcardErrorCode::InvalidArgument, "bad port in --vpcd: " + port);
    options.host = text.substr(0, colon);
    options.port = static_cast<std::uint16_t>(value);
}

void serve(const ServeOptions& options, std::ostream& diagnostics) {
    if (!CardStore(options.dir).exists()) {
        throw VcardError(VcardErrorCode::CardDirectory,
                         options.dir.string() + ": no card here (run `pkcs-tool vcard provision`)");
    }
    SignalScope signals;
    Server server(options, diagnostics);
    PidFile pid(options.pid_file);
    server.run();
}

}  // namespace pkibridge::vcard
