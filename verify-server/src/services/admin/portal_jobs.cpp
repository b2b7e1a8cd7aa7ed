#include "services/admin/portal_jobs.hpp"

#include <algorithm>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "services/admin/admin_service.hpp"
#include "services/admin/review_export.hpp"
#include "services/mail/mailer.hpp"
#include "store/portal/audit_store.hpp"

namespace pkibridge::server {

namespace {

constexpr std::int64_t kDay = 86400;

}  // namespace

ExpiryMail expiry_mail(const ExpiringCertificate& c, int threshold, std::int64_t now,
                       const PortalCalendar& calendar, const std::string& public_url) {
    const std::int64_t left = c.certificate.not_after - now;
    const std::int64_t days = (left + kDay - 1) / kDay;  // "expires within N days", rounded up
    const std::string when = portal_time(calendar, c.certificate.not_after);
    const std::string n = std::to_string(days);
    ExpiryMail m;
    m.subject = "憑證將於 " + n + " 天內到期 / Your certificate expires within " + n + " days";
    m.body = c.account.name +
             " 您好：\n\n"
             "您在入口網註冊的憑證將於 " +
             n + " 天內到期（到期時間 " + when +
             "，臺北時間）。\n"
             "請於到期前向憑證管理中心（自然人憑證：https://moica.nat.gov.tw/）辦理展期或換發，"
             "並以新憑證登入後在「註冊服務」中註冊新憑證，以免無法登入。\n\n"
             "憑證主體：" +
             c.certificate.subject +
             "\n"
             "序號：" +
             c.certificate.serial +
             "\n"
             "提醒門檻：到期前 " +
             std::to_string(threshold) + " 天\n";
    if (!public_url.empty()) m.body += "入口網：" + public_url + "\n";
    m.body += "\n----\n\nDear " + c.account.name +
              ",\n\n"
              "the certificate you registered with the portal expires within " +
              n + " days (on " + when +
              ", Taipei time).\n"
              "Renew it with its certification authority before then (citizen certificates: "
              "https://moica.nat.gov.tw/), then sign in and register the new certificate under "
              "\"Registration service\" so you can keep signing in.\n\n"
              "Subject: " +
              c.certificate.subject +
              "\n"
              "Serial: " +
              c.certificate.serial +
              "\n"
              "Notice threshold: " +
              std::to_string(threshold) + " days before expiry\n";
    if (!public_url.empty()) m.body += "Portal: " + public_url + "\n";
    m.body +=
        "\n(此信由系統自動發送，請勿回覆。This message was sent automatically; do not "
        "reply.)\n";
    return m;
}

PortalJobs::PortalJobs(SqliteAdminStore& store, const PortalConfig& config, Mailer* mailer,
                       const Clock& clock, PortalCalendar calendar)
    : store_(store), config_(config), mailer_(mailer), clock_(clock), calendar_(calendar) {}

PortalJobs::~PortalJobs() {
    stop();
}

std::size_t PortalJobs::run(const std::string& job) {
    if (job == "inactivity") return run_inactivity();
    if (job == "expiry-notices") return run_expiry_notices();
    throw ServiceError(ErrorKind::BadRequest, "unknown-job",
                       "job must be \"inactivity\" or \"expiry-notices\"");
}

std::size_t PortalJobs::run_inactivity() {
    std::lock_guard guard(run_mutex_);
    const std::int64_t now = clock_.now_unix();
    const std::int64_t cutoff = now - config_.inactivity_disable_days * kDay;
    std::size_t disabled = 0;
    for (const auto& account : store_.inactive_since(cutoff)) {
        auto before = store_.get(account.id);
        if (!before) continue;  // deleted meanwhile
        AdminAccount after = *before;
        const std::string reason =
            "no login for " + std::to_string(config_.inactivity_disable_days) + " days (超過 " +
            std::to_string(config_.inactivity_disable_days) + " 天未登入)";
        after.account.status = AccountStatus::Disabled;
        after.account.status_reason = reason;
        AuditEntry e = account_audit_entry(now, "system:inactivity", "account.disable", account);
        e.before = AdminService::snapshot(*before);
        e.after = AdminService::snapshot(after);
        store_.set_status(account.id, AccountStatus::Disabled, reason, now, e);
        ++disabled;
        log_info("portal jobs: disabled inactive account " + std::to_string(account.id));
    }
    return disabled;
}

std::size_t PortalJobs::run_expiry_notices() {
    std::lock_guard guard(run_mutex_);
    if (!mailer_ || !mailer_->enabled()) {
        log_warn("portal jobs: expiry notices skipped: mail is not configured (smtp.url)");
        return 0;
    }
    std::vector<int> thresholds;
    for (int d : config_.expiry_notice_days)
        if (d > 0) thresholds.push_back(d);
    if (thresholds.empty()) return 0;
    std::sort(thresholds.begin(), thresholds.end());
    const std::int64_t now = clock_.now_unix();
    std::size_t sent = 0;
    for (const auto& c : store_.expiring_certificates(now, thresholds.back() * kDay)) {
        // Every threshold already reached and not yet noticed. After a gap (server down,
        // certificate registered late) only one mail goes out, for the nearest threshold;
        // the farther ones are recorded as covered by it.
        std::vector<int> due;
        for (int d : thresholds)
            if (c.certificate.not_after - now <= d * kDay &&
                std::find(c.noticed_days.begin(), c.noticed_days.end(), d) == c.noticed_days.end())
                due.push_back(d);
        if (due.empty()) continue;
        if (!c.account.email || c.account.email->empty()) {
            log_warn("portal jobs: account " + std::to_string(c.account.id) +
                     " has no e-mail address for its certificate expiry notice");
            continue;
        }
        // Claim first, then send: a crash between the two loses one notice rather than
        // mailing the holder again on every run; a send that fails is released for retry.
        if (!store_.claim_expiry_notices(c.certificate.id, due, now)) continue;
        const ExpiryMail mail = expiry_mail(c, due.front(), now, calendar_, config_.public_url);
        try {
            mailer_->send({*c.account.email, mail.subject, mail.body});
        } catch (const std::exception& e) {
            store_.release_expiry_notices(c.certificate.id, due);
            log_warn("portal jobs: expiry notice for certificate " +
                     std::to_string(c.certificate.id) + " not sent (will retry): " + e.what());
            continue;
        }
        ++sent;
        AuditEntry e = account_audit_entry(now, "system:expiry-notices",
                                           "certificate.expiry-notice", c.account);
        e.after = {{"certificateSha256", c.certificate.sha256},
                   {"notAfter", c.certificate.not_after},
                   {"daysBefore", due},
                   {"to", *c.account.email}};
        store_.append_audit(std::move(e));
    }
    return sent;
}

void PortalJobs::start_background() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { loop(); });
}

void PortalJobs::stop() {
    {
        std::lock_guard lock(wait_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void PortalJobs::loop() {
    const auto interval =
        std::chrono::seconds(std::max<std::int64_t>(1, config_.job_interval_seconds));
    std::unique_lock lock(wait_mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
        lock.unlock();
        for (const char* job : {"inactivity", "expiry-notices"}) {
            try {
                run(job);
            } catch (const std::exception& e) {
                log_warn(std::string("portal jobs: ") + job + " failed: " + e.what());
            }
        }
        lock.lock();
    }
}

}  // namespace pkibridge::server
