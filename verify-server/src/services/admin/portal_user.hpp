// Who is calling a portal endpoint: the session's account and what it may do. Built by
// the HTTP guard (http/portal/portal_guard.hpp) from the session cookie; services take it
// as the actor and check role and scope themselves (least privilege on the server).
#pragma once

#include <string>
#include <string_view>

#include "store/account_store.hpp"

namespace pkibridge::server {

namespace roles {
inline constexpr std::string_view kSuperAdmin = "super-admin";  // the programme officer
inline constexpr std::string_view kRegistrationAdmin = "registration-admin";  // per agency
inline constexpr std::string_view kUser = "user";
}  // namespace roles

struct PortalUser {
    Account account;
    SessionRecord session;
    // Activation-only sessions (first login with the initial password, or any session
    // that must change its password first) may only read /me, change the password,
    // register a certificate and log out.
    bool activation_only = false;

    bool has_role(std::string_view role) const {
        for (const auto& r : account.roles)
            if (r == role) return true;
        return false;
    }
    std::string actor() const { return "account:" + std::to_string(account.id); }
};

// Whether `admin` may manage `target`: super administrators manage everyone; agency
// registration administrators only accounts under their agency OID / jurisdiction OID
// (docs/portal.md). Implemented in admin_scope.cpp.
bool can_manage(const Account& admin, const Account& target);
// Throws ServiceError(Forbidden, "out-of-scope") when !can_manage.
void require_manage(const PortalUser& admin, const Account& target);

}  // namespace pkibridge::server
