// The portal's services as the HTTP layer sees them (owned by server_app.cpp). Each
// member is set when the server starts; route files use only what they need.
#pragma once

#include "core/portal_calendar.hpp"

namespace pkibridge::server {

class AuditLog;
class Mailer;
class AdminService;                    // admin
class PortalJobs;                      // admin
class CredentialService;               // auth
class CaptchaService;                  // auth
class PasswordLoginService;            // auth
class TotpService;                     // auth
class OneDayPasswordService;           // auth
class CertificateRegistrationService;  // auth
// auth (services/auth/): password logins, CAPTCHA, rate limits, TOTP, one-day passwords
// admin (services/admin/): accounts in scope, catalogue, profile, review export, jobs

struct PortalServices {
    PortalCalendar calendar;
    AuditLog* audit = nullptr;
    Mailer* mailer = nullptr;
    // Each part adds its services below (pointers; the objects live in server_app.cpp).
    AdminService* admin = nullptr;  // admin: accounts in scope, /me, catalogue, review
    PortalJobs* jobs = nullptr;     // admin: inactivity and expiry-notice jobs
    // auth: set_initial_password / clear_lockout for the administration service
    CredentialService* credentials = nullptr;
    CaptchaService* captchas = nullptr;                                  // auth
    PasswordLoginService* password_login = nullptr;                      // auth
    TotpService* totp = nullptr;                                         // auth
    OneDayPasswordService* one_day_passwords = nullptr;                  // auth
    CertificateRegistrationService* certificate_registration = nullptr;  // auth
};

}  // namespace pkibridge::server
