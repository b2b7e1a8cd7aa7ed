#include "services/auth/password_login_service.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "services/auth/auth_error.hpp"
#include "services/auth/credential_service.hpp"
#include "services/auth/password_hash.hpp"
#include "services/auth/totp_service.hpp"
#include "services/portal_services.hpp"
#include "store/portal/credential_store.hpp"

namespace pkibridge::server {

namespace {

constexpr std::size_t kMaxPhantoms = 10000;
constexpr std::int64_t kRateWindowSeconds = 60;

std::string_view mode_name(PasswordLoginMode mode) {
    switch (mode) {
        case PasswordLoginMode::Initial:
            return "password-initial";
        case PasswordLoginMode::OneDay:
            return "one-day-password";
        case PasswordLoginMode::Totp:
            return "totp";
    }
    return "password";
}

std::string normalise_id(std::string_view id) {
    std::string out;
    for (char c : id) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return out;
}

}  // namespace

PasswordLoginMode parse_password_login_mode(std::string_view name) {
    if (name == "initial") return PasswordLoginMode::Initial;
    if (name == "one-day") return PasswordLoginMode::OneDay;
    if (name == "totp") return PasswordLoginMode::Totp;
    throw ServiceError(ErrorKind::BadRequest, "mode-invalid",
                       "\"mode\" must be \"initial\", \"one-day\" or \"totp\"");
}

PasswordLoginService::PasswordLoginService(AccountStore& accounts,
                                           CredentialStore& credentials_store,
                                           CredentialService& credentials, TotpService& totp,
                                           CaptchaService& captchas, SessionService& sessions,
                                           const PortalConfig& config, const Clock& clock,
                                           const PortalServices& portal, Metrics& metrics)
    : accounts_(accounts),
      store_(credentials_store),
      credentials_(credentials),
      totp_(totp),
      captchas_(captchas),
      sessions_(sessions),
      config_(config),
      clock_(clock),
      portal_(portal),
      metrics_(metrics),
      per_ip_(clock, config.rate_limit.per_ip_per_minute, kRateWindowSeconds),
      per_id_(clock, config.rate_limit.per_account_per_minute, kRateWindowSeconds),
      dummy_hash_(hash_password("no such account: a dummy to spend the same time")) {}

PasswordLoginResult PasswordLoginService::login(const PasswordLoginRequest& request) {
    const std::string method(mode_name(request.mode));
    try {
        PasswordLoginResult r = run(request);
        metrics_.increment("pkibridge_logins_total", {{"method", method}, {"result", "ok"}});
        return r;
    } catch (const ServiceError& e) {
        metrics_.increment("pkibridge_logins_total", {{"method", method}, {"result", e.code()}});
        throw;
    }
}

void PasswordLoginService::check_limits(const std::string& ip, const std::string& national_id) {
    auto too_many = [](std::int64_t retry) {
        return AuthError(
            ErrorKind::TooManyRequests, "rate-limited",
            "too many sign-in attempts; wait " + std::to_string(retry) + " seconds and try again",
            "登入嘗試次數過多，請於 " + std::to_string(retry) + " 秒後再試。",
            {{"retryAfterSeconds", retry}});
    };
    if (auto retry = per_ip_.hit(ip)) throw too_many(*retry);
    if (auto retry = per_id_.hit(national_id)) throw too_many(*retry);
}

void PasswordLoginService::check_captcha(const PasswordLoginRequest& request) {
    switch (captchas_.consume(request.captcha_id, request.captcha_answer)) {
        case CaptchaOutcome::Accepted:
            return;
        case CaptchaOutcome::Wrong:
            throw AuthError(ErrorKind::BadRequest, "captcha-invalid",
                            "the picture code was wrong; a new picture is needed",
                            "圖形驗證碼錯誤，請重新取得驗證碼後再輸入。");
        case CaptchaOutcome::Expired:
            throw AuthError(ErrorKind::BadRequest, "captcha-invalid",
                            "the picture code expired; get a new picture",
                            "圖形驗證碼已逾時，請重新取得驗證碼。");
        case CaptchaOutcome::Unknown:
            break;
    }
    throw AuthError(ErrorKind::BadRequest, "captcha-invalid",
                    "unknown or already used picture code; get a new picture",
                    "圖形驗證碼無效或已使用過，請重新取得驗證碼。");
}

void PasswordLoginService::unknown_account(const std::string& national_id) {
    const std::int64_t now = clock_.now_unix();
    int attempts = 0;
    std::int64_t locked_until = 0;
    {
        std::lock_guard lock(phantom_mutex_);
        if (phantom_.size() >= kMaxPhantoms && !phantom_.count(national_id)) phantom_.clear();
        auto& entry = phantom_[national_id];
        if (entry.second > now) {
            locked_until = entry.second;
        } else {
            if (entry.second != 0) entry = {0, 0};  // a lockout that ran out: count afresh
            attempts = ++entry.first;
            if (attempts >= config_.lockout_attempts)
                entry.second = locked_until = now + config_.lockout_seconds;
        }
    }
    if (locked_until != 0) throw account_locked_error(locked_until, config_);
    throw credentials_invalid_error(config_.lockout_attempts - attempts);
}

void PasswordLoginService::check_one_day(const Account& account,
                                         const PasswordLoginRequest& request) {
    const std::string today = portal_.calendar.today(clock_);
    auto rec = store_.one_day_password(account.id, today);
    if (!rec) {
        auto latest = store_.latest_one_day_password(account.id);
        if (latest && latest->day < today) {
            throw AuthError(ErrorKind::Unauthenticated, "one-day-password-expired",
                            "the one-day password was valid on " + latest->day +
                                " only; ask your registration administrator to enable it again",
                            "一日密碼僅於 " + latest->day +
                                " 當日有效，已失效。請洽業務帳號註冊管理者重新開通。",
                            {{"validOn", latest->day}});
        }
        throw AuthError(ErrorKind::Unauthenticated, "one-day-password-not-enabled",
                        "no one-day password is enabled for today; ask your registration "
                        "administrator",
                        "今日未開通一日密碼，請洽業務帳號註冊管理者開通。");
    }
    if (request.check_code.empty() ||
        !verify_password_hash(rec->code_hash, request.check_code.value())) {
        const int left = credentials_.count_failure(account, request.ip);
        throw AuthError(ErrorKind::Unauthenticated, "check-code-invalid",
                        "the e-mail check code is wrong (" + std::to_string(left) +
                            " attempt(s) left before the account is locked)",
                        "Email 檢查碼錯誤（再錯 " + std::to_string(left) +
                            " 次帳號將被鎖定），請核對通知信中的檢查碼。",
                        {{"attemptsLeft", left}});
    }
    // The first sign-in with this one-day password must change the password.
    if (store_.mark_one_day_password_used(rec->id, clock_.now_unix()))
        store_.set_must_change(account.id, true, clock_.now_unix());
}

void PasswordLoginService::check_totp(const Account& account, const PasswordLoginRequest& request) {
    switch (totp_.check(account.id, request.totp_code)) {
        case TotpCheck::Accepted:
            return;
        case TotpCheck::NotEnrolled:
            throw AuthError(
                ErrorKind::Unauthenticated, "totp-not-enrolled",
                "no authenticator is set up for this account: sign in another way "
                "and show the authenticator QR code first",
                "此帳號尚未設定 Google Authenticator，請先以其他方式登入並掃描 QR Code。");
        case TotpCheck::Invalid:
            break;
    }
    const int left = credentials_.count_failure(account, request.ip);
    throw AuthError(ErrorKind::Unauthenticated, "totp-invalid",
                    "the authenticator code is wrong, already used or from an older QR code "
                    "version (" +
                        std::to_string(left) + " attempt(s) left)",
                    "驗證器檢查碼錯誤、已使用過或為舊版本 QR Code 的檢查碼（再錯 " +
                        std::to_string(left) + " 次帳號將被鎖定）。",
                    {{"attemptsLeft", left}});
}

PasswordLoginResult PasswordLoginService::run(const PasswordLoginRequest& request) {
    const std::string national_id = normalise_id(request.national_id);
    if (national_id.empty() || national_id.size() > 32 || request.password.empty()) {
        throw AuthError(ErrorKind::BadRequest, "field-required",
                        "give the ID number, the password and the picture code",
                        "請輸入身分證號、密碼及圖形驗證碼。");
    }
    // Limits count every attempt, before the CAPTCHA is even looked at.
    check_limits(request.ip, national_id);
    check_captcha(request);

    auto account = accounts_.account_by_national_id(national_id);
    if (!account) {
        (void)verify_password_hash(dummy_hash_, request.password.value());
        unknown_account(national_id);
    }
    credentials_.verify_password(*account, request.password.value(), request.ip);

    if (account->status == AccountStatus::Disabled) {
        throw AuthError(ErrorKind::Forbidden, "account-disabled",
                        "the account is disabled; ask your registration administrator",
                        "帳號已停用，請洽業務帳號註冊管理者。");
    }
    const std::string today = portal_.calendar.today(clock_);
    switch (request.mode) {
        case PasswordLoginMode::Initial:
            if (account->status != AccountStatus::Pending) {
                throw AuthError(
                    ErrorKind::Forbidden, "password-login-not-allowed",
                    "the account is activated: sign in with your certificate (or a "
                    "one-day password / authenticator)",
                    "帳號已完成開帳，請以自然人憑證登入（或使用一日密碼、驗證器登入）。");
            }
            if (!account->initial_password_day || *account->initial_password_day != today) {
                throw AuthError(ErrorKind::Unauthenticated, "initial-password-expired",
                                "the first-login password works only on the day the account was "
                                "created or re-opened; ask your registration administrator to "
                                "re-open it",
                                "開帳密碼僅於帳號建立（或重新開通）當日有效，已失效。請洽業務帳號"
                                "註冊管理者重新開通。");
            }
            break;
        case PasswordLoginMode::OneDay:
        case PasswordLoginMode::Totp:
            if (account->status == AccountStatus::Pending) {
                throw AuthError(ErrorKind::Forbidden, "account-pending",
                                "the account is not activated yet: use the first-login form",
                                "帳號尚未開帳，請先以首次登入完成開帳作業。");
            }
            if (request.mode == PasswordLoginMode::OneDay)
                check_one_day(*account, request);
            else
                check_totp(*account, request);
            break;
    }

    credentials_.login_succeeded(account->id);
    LoginEvent event;
    event.account_id = account->id;
    event.at = clock_.now_unix();
    event.method = std::string(mode_name(request.mode));
    if (!request.ip.empty()) event.ip = request.ip;
    if (!request.user_agent.empty()) event.user_agent = request.user_agent.substr(0, 512);
    PasswordLoginResult result{sessions_.create_with_login(event), {}, {}, false};
    result.account = accounts_.account_by_id(account->id).value_or(*account);
    const bool pending = result.account.status == AccountStatus::Pending;
    result.activation_only = pending || result.account.password_must_change;
    result.next = result.account.password_must_change ? "change-password"
                  : pending                           ? "register-certificate"
                                                      : "home";
    return result;
}

}  // namespace pkibridge::server
