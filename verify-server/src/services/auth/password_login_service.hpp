// Password-based portal logins (docs/portal-api.md "Login"): the first login with the
// initial password, the one-day password with its e-mailed check code, and the
// authenticator (TOTP) login; each behind a single-use CAPTCHA and per-IP / per-ID rate
// limits. Unknown IDs get the same answers as wrong passwords (no account enumeration).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "services/auth/captcha_service.hpp"
#include "services/auth/rate_limiter.hpp"
#include "services/metrics.hpp"
#include "services/session_service.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

class CredentialService;
class CredentialStore;
class TotpService;
struct PortalServices;

enum class PasswordLoginMode { Initial, OneDay, Totp };

struct PasswordLoginRequest {
    PasswordLoginMode mode = PasswordLoginMode::Initial;
    std::string national_id;
    pkcs::SecretString password;
    std::string captcha_id;
    std::string captcha_answer;
    pkcs::SecretString check_code;  // one-day
    std::string totp_code;          // totp
    std::string ip;
    std::string user_agent;
};

struct PasswordLoginResult {
    NewSession session;
    Account account;
    std::string next;  // "change-password", "register-certificate", "home"
    bool activation_only = false;
};

// Throws ServiceError(BadRequest, "mode-invalid") for anything else.
PasswordLoginMode parse_password_login_mode(std::string_view name);

class PasswordLoginService {
public:
    PasswordLoginService(AccountStore& accounts, CredentialStore& credentials_store,
                         CredentialService& credentials, TotpService& totp,
                         CaptchaService& captchas, SessionService& sessions,
                         const PortalConfig& config, const Clock& clock,
                         const PortalServices& portal, Metrics& metrics);

    // Throws AuthError / ServiceError with the codes of docs/portal-api.md.
    PasswordLoginResult login(const PasswordLoginRequest& request);

private:
    PasswordLoginResult run(const PasswordLoginRequest& request);
    void check_limits(const std::string& ip, const std::string& national_id);
    void check_captcha(const PasswordLoginRequest& request);
    [[noreturn]] void unknown_account(const std::string& national_id);
    void check_one_day(const Account& account, const PasswordLoginRequest& request);
    void check_totp(const Account& account, const PasswordLoginRequest& request);

    AccountStore& accounts_;
    CredentialStore& store_;
    CredentialService& credentials_;
    TotpService& totp_;
    CaptchaService& captchas_;
    SessionService& sessions_;
    const PortalConfig& config_;
    const Clock& clock_;
    const PortalServices& portal_;
    Metrics& metrics_;
    RateLimiter per_ip_;
    RateLimiter per_id_;
    // Failure counts of IDs without an account, so they answer exactly like real ones.
    std::mutex phantom_mutex_;
    std::unordered_map<std::string, std::pair<int, std::int64_t>> phantom_;
    std::string dummy_hash_;  // verified against for unknown IDs (same cost as a real check)
};

}  // namespace pkibridge::server
