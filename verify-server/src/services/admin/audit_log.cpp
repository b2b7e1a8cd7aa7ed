#include "services/admin/audit_log.hpp"

namespace pkibridge::server {

AuditEntry account_audit_entry(std::int64_t at, std::string actor, std::string action,
                               const Account& account, const std::string& ip) {
    AuditEntry e;
    e.at = at;
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.account_id = account.id;
    e.national_id = account.national_id;
    if (!ip.empty()) e.ip = ip;
    return e;
}

}  // namespace pkibridge::server
