#include "services/auth/auth_error.hpp"

#include "pkibridge/pkcs/time_util.hpp"
#include "services/auth/portal_time.hpp"

namespace pkibridge::server {

AuthError account_locked_error(std::int64_t locked_until, const PortalConfig& config) {
    const std::string local = portal_local_time(locked_until, config.utc_offset_minutes);
    const std::string n = std::to_string(config.lockout_attempts);
    return AuthError(
        ErrorKind::Forbidden, "account-locked",
        "the account is locked after " + n + " wrong passwords until " + local +
            " (Taipei time); try again after that time or ask your registration "
            "administrator to unlock it",
        "密碼錯誤已達 " + n + " 次，帳號鎖定至 " + local +
            "（臺北時間）。請於該時間後再試，或洽業務帳號註冊管理者解除鎖定。",
        {{"lockedUntil", pkcs::format_rfc3339(locked_until)}, {"lockedUntilLocal", local}});
}

AuthError credentials_invalid_error(int attempts_left) {
    return AuthError(
        ErrorKind::Unauthenticated, "credentials-invalid",
        "wrong ID number or password (" + std::to_string(attempts_left) +
            " attempt(s) left before the account is locked)",
        "身分證號或密碼錯誤（再錯 " + std::to_string(attempts_left) + " 次帳號將被鎖定）。",
        {{"attemptsLeft", attempts_left}});
}

}  // namespace pkibridge::server
