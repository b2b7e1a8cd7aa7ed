// Which accounts an administrator manages (docs/portal.md "Scope").
#include "core/errors.hpp"
#include "services/admin/account_rules.hpp"
#include "services/admin/portal_user.hpp"

namespace pkibridge::server {

namespace {

bool has_role(const Account& a, std::string_view role) {
    for (const auto& r : a.roles)
        if (r == role) return true;
    return false;
}

bool under(const std::optional<std::string>& oid, const std::optional<std::string>& root) {
    return oid && root && oid_at_or_under(*oid, *root);
}

}  // namespace

bool can_manage(const Account& admin, const Account& target) {
    if (admin.status == AccountStatus::Disabled) return false;
    if (has_role(admin, roles::kSuperAdmin)) return true;
    if (!has_role(admin, roles::kRegistrationAdmin)) return false;
    // Administrators are appointed and managed by the programme officer only: a
    // registration administrator never manages an administrator (not even themself).
    if (has_role(target, roles::kSuperAdmin) || has_role(target, roles::kRegistrationAdmin))
        return false;
    return under(target.agency_oid, admin.agency_oid) ||
           under(target.jurisdiction_oid, admin.jurisdiction_oid);
}

void require_manage(const PortalUser& admin, const Account& target) {
    if (!can_manage(admin.account, target)) {
        throw ServiceError(ErrorKind::Forbidden, "out-of-scope",
                           "this account is outside your administrative scope");
    }
}

}  // namespace pkibridge::server
