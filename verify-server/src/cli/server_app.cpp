#include "cli/server_app.hpp"

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/offset_file_clock.hpp"
#include "http/api_routes.hpp"
#include "http/http_server.hpp"
#include "http/tls.hpp"
#include "services/admin/admin_parts.hpp"                      // admin
#include "services/auth/captcha_service.hpp"                   // auth
#include "services/auth/certificate_registration_service.hpp"  // auth
#include "services/auth/credential_service.hpp"                // auth
#include "services/auth/one_day_password_service.hpp"          // auth
#include "services/auth/password_login_service.hpp"            // auth
#include "services/auth/totp_service.hpp"                      // auth
#include "services/challenge_store.hpp"
#include "services/crl_manager.hpp"
#include "services/login_service.hpp"
#include "services/mail/smtp_mailer.hpp"  // auth
#include "services/metrics.hpp"
#include "services/session_service.hpp"
#include "services/verification_service.hpp"
#include "store/portal/audit_store.hpp"       // admin
#include "store/portal/credential_store.hpp"  // auth
#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

namespace {

// Periodic housekeeping (expired sessions) on its own thread, stoppable at once.
class Housekeeper {
public:
    Housekeeper(SessionService& sessions) : sessions_(sessions), thread_([this] { run(); }) {}
    ~Housekeeper() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

private:
    void run() {
        std::unique_lock lock(mutex_);
        while (!cv_.wait_for(lock, std::chrono::minutes(5), [this] { return stop_; })) {
            lock.unlock();
            try {
                auto n = sessions_.purge_expired();
                if (n) log_info("sessions: purged " + std::to_string(n) + " expired session(s)");
            } catch (const std::exception& e) {
                log_warn(std::string("sessions: purge failed: ") + e.what());
            }
            lock.lock();
        }
    }
    SessionService& sessions_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

void add_standard_metrics(Metrics& metrics, CrlManager& crls, ChallengeStore& challenges,
                          VerificationService& verifier) {
    metrics.describe("pkibridge_http_requests_total", "counter",
                     "HTTP requests by route, method and status");
    metrics.describe("pkibridge_http_request_duration_seconds", "histogram",
                     "HTTP request latency by route");
    metrics.describe("pkibridge_logins_total", "counter",
                     "Login attempts by method and result code");
    metrics.describe("pkibridge_verifications_total", "counter",
                     "Signature verifications by kind and result");
    metrics.add_collector([&crls] { return crls.gauges(); });
    metrics.add_collector([&challenges, &verifier] {
        std::vector<GaugeSample> out;
        out.push_back({"pkibridge_challenges_held",
                       "Challenges held in memory (live and recently used)",
                       {},
                       static_cast<double>(challenges.size())});
        out.push_back({"pkibridge_chain_cache_entries",
                       "Validated paths in the cache",
                       {},
                       static_cast<double>(verifier.cache().size())});
        out.push_back({"pkibridge_chain_cache_hits",
                       "Chain cache hits since start",
                       {},
                       static_cast<double>(verifier.cache().hits())});
        out.push_back({"pkibridge_chain_cache_misses",
                       "Chain cache misses since start",
                       {},
                       static_cast<double>(verifier.cache().misses())});
        out.push_back({"process_resident_memory_bytes",
                       "Resident memory size in bytes",
                       {},
                       static_cast<double>(process_rss_bytes())});
        return out;
    });
}

}  // namespace

int run_server(const ServerConfig& config) {
    validate_config(config);
    set_log_level(parse_log_level(config.log_level));

    // Signals are taken by a dedicated thread; every other thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // --test-clock (tests only, loopback only): the system clock plus an offset from a file.
    std::unique_ptr<Clock> clock_holder;
    if (config.test_hooks.clock_file.empty()) {
        clock_holder = std::make_unique<SystemClock>();
    } else {
        log_warn("TEST CLOCK ENABLED from " + config.test_hooks.clock_file.string() +
                 ": never use --test-clock in production");
        clock_holder = std::make_unique<OffsetFileClock>(config.test_hooks.clock_file);
    }
    const Clock& clock = *clock_holder;
    if (config.test_hooks.expose_captcha_answer)
        log_warn("CAPTCHA ANSWERS EXPOSED (--test-captcha-answers): never use in production");
    Metrics metrics;

    std::optional<TlsMaterial> tls;
    if (!config.insecure_http) tls = prepare_tls_material(config);

    pkcs::TrustStore trust = load_trust_store(config.trust);
    if (trust.anchors.empty())
        log_warn("no trust anchors configured: every certificate will be 'untrusted'");
    if (config.origins.empty())
        log_warn(
            "no portal origins configured: every certificate login will fail with origin-mismatch");

    SqliteAccountStore store(
        config.database.path,
        SqliteStoreOptions{config.database.busy_timeout_ms, config.database.synchronous == "full",
                           config.database.connections});

    std::vector<pkcs::Certificate> ca_certs = trust.anchors;
    ca_certs.insert(ca_certs.end(), trust.intermediates.begin(), trust.intermediates.end());
    CrlManager crls(config.crl, clock, ca_certs);
    crls.load_initial();
    crls.start_background();

    VerificationService verifier(std::move(trust), crls, clock,
                                 VerificationPolicy{config.crl.require_revocation,
                                                    config.crl.grace_seconds,
                                                    {"digitalSignature", "nonRepudiation"}},
                                 config.chain_cache_entries);
    ChallengeStore challenges(clock, std::chrono::seconds(config.challenges.lifetime_seconds),
                              config.challenges.max_outstanding);
    SessionService sessions(store, clock,
                            SessionPolicy{config.sessions.idle_timeout_seconds,
                                          config.sessions.absolute_timeout_seconds, 60});
    LoginService login(LoginPolicy{config.origins, config.login.clock_skew_seconds}, challenges,
                       verifier, store, sessions, clock, metrics);
    add_standard_metrics(metrics, crls, challenges, verifier);

    HttpServer http(config, metrics, tls);
    if (!http.valid()) {
        log_error("cannot set up the HTTP server (TLS certificate or key unusable)");
        return 3;
    }
    PortalServices portal{PortalCalendar(config.portal.utc_offset_minutes)};
    // Portal services are created here (see services/portal_services.hpp).
    SqliteAuditLog audit_log(store, clock);  // admin
    portal.audit = &audit_log;

    // auth: mail, passwords, CAPTCHA, password logins, TOTP, one-day passwords,
    // certificate registration (services/auth/).
    SmtpMailer mailer(config.smtp, clock);  // auth
    portal.mailer = &mailer;
    if (!mailer.enabled()) log_warn("smtp.url is empty: the portal cannot send e-mail");
    CredentialStore credential_store(store);  // auth
    CredentialService credentials(credential_store, config.portal, clock, portal);
    CaptchaService captchas(clock, config.portal.captcha_lifetime_seconds);
    TotpService totp(credential_store, config.portal, clock, portal);
    PasswordLoginService password_login(store, credential_store, credentials, totp, captchas,
                                        sessions, config.portal, clock, portal, metrics);
    OneDayPasswordService one_day_passwords(credential_store, store, config, clock, portal);
    CertificateRegistrationService certificate_registration(login, store, credential_store, clock,
                                                            portal);
    portal.credentials = &credentials;
    portal.captchas = &captchas;
    portal.password_login = &password_login;
    portal.totp = &totp;
    portal.one_day_passwords = &one_day_passwords;
    portal.certificate_registration = &certificate_registration;

    // admin: catalogue, administration service and scheduled jobs. Needs the auth part's
    // CredentialService (initial passwords, unlock) and reads portal.mailer, so it comes
    // after both.
    AdminParts admin_parts(config, store, credentials, audit_log, portal.mailer, clock,
                           portal.calendar);
    portal.admin = &admin_parts.service;
    portal.jobs = &admin_parts.jobs;
    admin_parts.jobs.start_background();

    ApiContext context{config,   clock, metrics, store,  challenges,           sessions,
                       verifier, login, crls,    portal, !config.insecure_http};
    register_api_routes(http, context);

    const int port = http.bind();
    if (port < 0) {
        log_error("cannot listen on " + config.listen.to_string());
        return 3;
    }
    ListenAddress actual = config.listen;
    actual.port = port;
    const std::string scheme = tls ? "https" : "http";
    if (tls) {
        std::cout << "TLS certificate: " << tls->certificate.string()
                  << (tls->self_signed ? " (self-signed, generated)" : "")
                  << " sha256=" << tls->sha256 << "\n";
    }
    std::cout << "pkibridge-server listening on " << scheme << "://" << actual.to_string()
              << " (database " << config.database.path.string() << ")" << std::endl;
    log_info("listening on " + scheme + "://" + actual.to_string() + " with " +
             std::to_string(effective_thread_count(config.http)) + " worker threads");

    std::atomic<bool> signalled{false};
    std::thread signal_thread([&http, &signalled, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        signalled = true;
        log_info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                 ", shutting down");
        http.stop();
    });

    {
        Housekeeper housekeeper(sessions);
        http.run();
    }
    // If run() returned for another reason, wake the signal thread so it can be joined.
    if (!signalled) pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    crls.stop();
    log_info("stopped");
    return 0;
}

}  // namespace pkibridge::server
