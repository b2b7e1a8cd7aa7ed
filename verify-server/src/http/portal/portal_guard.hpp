// Who is calling: resolves the session cookie into a PortalUser and enforces the session
// kind and role (docs/portal-api.md "Roles and session kinds"). Every portal endpoint that
// needs a caller starts here; scope checks on target accounts are the services' job.
#pragma once

#include <httplib.h>

#include <string_view>

#include "http/api_routes.hpp"
#include "services/admin/portal_user.hpp"

namespace pkibridge::server {

enum class SessionNeed {
    Any,   // activation-only sessions allowed (me, password change, certificate registration)
    Full,  // a fully activated account
};

// Throws ServiceError: 401 session-required, 403 activation-required, account-disabled.
PortalUser require_portal_user(ApiContext& ctx, const httplib::Request& req,
                               SessionNeed need = SessionNeed::Full);
// Full session with super-admin or registration-admin. 403 role-required otherwise.
PortalUser require_portal_admin(ApiContext& ctx, const httplib::Request& req);
// Full session with super-admin. 403 role-required otherwise.
PortalUser require_super_admin(ApiContext& ctx, const httplib::Request& req);

}  // namespace pkibridge::server
