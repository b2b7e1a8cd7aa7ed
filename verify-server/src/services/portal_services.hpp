// The portal's services as the HTTP layer sees them (owned by server_app.cpp). Each
// member is set when the server starts; route files use only what they need.
#pragma once

#include "core/portal_calendar.hpp"

namespace pkibridge::server {

class AuditLog;
class Mailer;
// auth (services/auth/): password logins, CAPTCHA, rate limits, TOTP, one-day passwords
// admin (services/admin/): accounts in scope, catalogue, profile, review export, jobs

struct PortalServices {
    PortalCalendar calendar;
    AuditLog* audit = nullptr;
    Mailer* mailer = nullptr;
    // Each part adds its services below (pointers; the objects live in server_app.cpp).
};

}  // namespace pkibridge::server
