#include "services/auth/one_day_password_service.hpp"

#include <sodium.h>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "services/admin/audit_log.hpp"
#include "services/auth/password_hash.hpp"
#include "services/mail/mailer.hpp"
#include "services/portal_services.hpp"
#include "store/portal/credential_store.hpp"

namespace pkibridge::server {

namespace {

constexpr std::size_t kCodeDigits = 8;
constexpr std::size_t kMaxReason = 500;

MailMessage check_code_mail(const Account& account, const std::string& code, const std::string& day,
                            const std::string& portal_url) {
    MailMessage m;
    m.to = *account.email;
    m.subject = "一日密碼檢查碼 / One-day password check code";
    std::string where = portal_url.empty() ? "" : "\n" + portal_url + "\n";
    m.body_text =
        account.name +
        " 您好：\n\n"
        "業務帳號註冊管理者已為您的帳號開通一日密碼，僅限 " +
        day +
        "（臺北時間）當日有效。\n"
        "登入時請輸入身分證號、您的密碼、下列 Email 檢查碼及圖形驗證碼。\n"
        "當日第一次以一日密碼登入後，系統會要求您變更密碼。\n\n"
        "Email 檢查碼：" +
        code + "\n" + where +
        "\n如果您沒有申請一日密碼，請立即通知您的業務帳號註冊管理者。\n\n"
        "----\n\n"
        "Dear " +
        account.name +
        ",\n\n"
        "Your registration administrator enabled a one-day password for your account. It "
        "works only on " +
        day +
        " (Asia/Taipei).\n"
        "Sign in with your ID number, your password, the check code below and the picture "
        "code. The first such sign-in of the day asks you to change your password.\n\n"
        "Check code: " +
        code + "\n" + where +
        "\nIf you did not ask for this, tell your registration administrator at once.\n";
    return m;
}

}  // namespace

OneDayPasswordService::OneDayPasswordService(CredentialStore& store, AccountStore& accounts,
                                             const ServerConfig& config, const Clock& clock,
                                             const PortalServices& portal)
    : store_(store), accounts_(accounts), config_(config), clock_(clock), portal_(portal) {}

std::string OneDayPasswordService::new_check_code() {
    if (sodium_init() < 0) throw ServiceError(ErrorKind::Internal, "internal-error", "libsodium");
    std::string code;
    for (std::size_t i = 0; i < kCodeDigits; ++i)
        code.push_back(static_cast<char>('0' + randombytes_uniform(10)));
    return code;
}

OneDayPasswordEnabled OneDayPasswordService::enable(const PortalUser& admin,
                                                    std::int64_t account_id,
                                                    std::string_view reason,
                                                    const std::string& ip) {
    auto target = accounts_.account_by_id(account_id);
    if (!target) throw ServiceError(ErrorKind::NotFound, "account-not-found", "no such account");
    require_manage(admin, *target);
    if (reason.find_first_not_of(" \t\r\n") == std::string_view::npos ||
        reason.size() > kMaxReason) {
        throw ServiceError(ErrorKind::BadRequest, "reason-required",
                           "give the reason (the approved D-06-11 request), at most 500 bytes");
    }
    if (target->status == AccountStatus::Disabled)
        throw ServiceError(ErrorKind::Conflict, "account-disabled",
                           "the account is disabled; enable it first");
    if (target->status == AccountStatus::Pending)
        throw ServiceError(ErrorKind::Conflict, "account-pending",
                           "the account was never activated: re-open it for first login instead");
    if (!target->email || target->email->find('@') == std::string::npos)
        throw ServiceError(ErrorKind::Conflict, "email-missing",
                           "the account has no e-mail address for the check code");
    if (!portal_.mailer || !portal_.mailer->enabled())
        throw ServiceError(ErrorKind::Unavailable, "mail-disabled",
                           "outgoing mail is not configured (smtp.url)");

    const std::int64_t now = clock_.now_unix();
    const std::string day = portal_.calendar.day_of(now);
    pkcs::SecretString code(new_check_code());
    store_.add_one_day_password(target->id, day, hash_password(code.value()), reason, admin.actor(),
                                now);
    try {
        portal_.mailer->send(
            check_code_mail(*target, code.value(), day, config_.portal.public_url));
    } catch (const MailError& e) {
        log_warn(std::string("one-day password: mail to account ") + std::to_string(target->id) +
                 " failed: " + e.what());
        throw ServiceError(ErrorKind::Unavailable, "mail-failed",
                           "the check code could not be e-mailed; try again later");
    }
    if (portal_.audit) {
        AuditEntry a =
            account_audit_entry(now, admin.actor(), "account.one-day-password", *target, ip);
        a.after = {{"validOn", day}, {"reason", std::string(reason)}, {"sentTo", *target->email}};
        portal_.audit->append(std::move(a));
    }
    return {day, *target->email};
}

}  // namespace pkibridge::server
