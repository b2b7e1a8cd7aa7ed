#include "http/portal/portal_guard.hpp"

#include "core/errors.hpp"
#include "http/request_helpers.hpp"

namespace pkibridge::server {

PortalUser require_portal_user(ApiContext& ctx, const httplib::Request& req, SessionNeed need) {
    check_request_origin(ctx, req);
    auto id = cookie(req, ctx.config.sessions.cookie_name);
    std::optional<SessionRecord> session;
    if (id && plausible_token(*id)) session = ctx.sessions.resolve(*id);
    if (!session) {
        throw ServiceError(ErrorKind::Unauthenticated, "session-required",
                           "sign in first (no session, or it ended)");
    }
    auto account = ctx.accounts.account_by_id(session->account_id);
    if (!account) {
        ctx.sessions.destroy(*id);
        throw ServiceError(ErrorKind::Unauthenticated, "session-required",
                           "the session's account no longer exists");
    }
    if (account->status == AccountStatus::Disabled) {
        ctx.sessions.destroy(*id);
        throw ServiceError(ErrorKind::Forbidden, "account-disabled",
                           "the account is disabled; ask your registration administrator");
    }
    PortalUser user{*account, *session, false};
    user.activation_only =
        account->status == AccountStatus::Pending || account->password_must_change;
    if (need == SessionNeed::Full && user.activation_only) {
        throw ServiceError(ErrorKind::Forbidden, "activation-required",
                           "finish activation first: change the password and register your "
                           "certificate");
    }
    return user;
}

PortalUser require_portal_admin(ApiContext& ctx, const httplib::Request& req) {
    PortalUser user = require_portal_user(ctx, req, SessionNeed::Full);
    if (!user.has_role(roles::kSuperAdmin) && !user.has_role(roles::kRegistrationAdmin)) {
        throw ServiceError(ErrorKind::Forbidden, "role-required",
                           "this needs a registration administrator");
    }
    return user;
}

PortalUser require_super_admin(ApiContext& ctx, const httplib::Request& req) {
    PortalUser user = require_portal_user(ctx, req, SessionNeed::Full);
    if (!user.has_role(roles::kSuperAdmin)) {
        throw ServiceError(ErrorKind::Forbidden, "role-required",
                           "this needs the super administrator");
    }
    return user;
}

}  // namespace pkibridge::server
