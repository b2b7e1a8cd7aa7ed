// The portal's scheduled jobs (docs/portal.md "Jobs"): disabling accounts without a login
// for portal.inactivity_disable_days, and the certificate expiry e-mails (each threshold of
// portal.expiry_notice_days once per certificate). They run every
// portal.job_interval_seconds on a background thread and on demand
// (POST /api/v1/portal/admin/jobs/run); runs never overlap. Times come from the server
// Clock, so tests move the clock instead of waiting.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/portal_calendar.hpp"
#include "store/portal/admin_store.hpp"

namespace pkibridge::server {

class Mailer;

class PortalJobs {
public:
    PortalJobs(SqliteAdminStore& store, const PortalConfig& config, Mailer* mailer,
               const Clock& clock, PortalCalendar calendar);
    ~PortalJobs();
    PortalJobs(const PortalJobs&) = delete;
    PortalJobs& operator=(const PortalJobs&) = delete;

    // Accounts disabled.
    std::size_t run_inactivity();
    // E-mails sent.
    std::size_t run_expiry_notices();
    // By name ("inactivity", "expiry-notices"); throws ServiceError(BadRequest,
    // "unknown-job") otherwise.
    std::size_t run(const std::string& job);

    // The background thread: both jobs every job_interval_seconds (the first run one
    // interval after start). stop() (also in the destructor) returns promptly.
    void start_background();
    void stop();

private:
    void loop();

    SqliteAdminStore& store_;
    const PortalConfig& config_;
    Mailer* mailer_;
    const Clock& clock_;
    PortalCalendar calendar_;
    std::mutex run_mutex_;  // one run at a time (background and on demand)
    std::mutex wait_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

// The notice for one certificate (zh-TW first, then English); exposed for unit tests.
struct ExpiryMail {
    std::string subject;
    std::string body;
};
ExpiryMail expiry_mail(const ExpiringCertificate& cert, int threshold_days, std::int64_t now,
                       const PortalCalendar& calendar, const std::string& public_url);

}  // namespace pkibridge::server
