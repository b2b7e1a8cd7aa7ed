#include "services/admin/admin_parts.hpp"

#include "core/log.hpp"
#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

namespace {

Catalogue load_catalogue(const PortalConfig& config) {
    const auto path = locate_catalogue(config.catalogue);
    Catalogue c = Catalogue::load(path);
    std::size_t types = 0;
    for (const auto& s : c.systems()) types += s.subsystems.size();
    log_info("portal catalogue " + path.string() + ": " + std::to_string(c.systems().size()) +
             " systems, " + std::to_string(types) + " identity types");
    return c;
}

}  // namespace

AdminParts::AdminParts(const ServerConfig& config, SqliteAccountStore& accounts,
                       CredentialService& credentials, AuditLog& audit, Mailer* mailer,
                       const Clock& clock, PortalCalendar calendar)
    : catalogue(load_catalogue(config.portal)),
      store(accounts),
      service(store, accounts, credentials, audit, catalogue, clock, calendar),
      jobs(store, config.portal, mailer, clock, calendar) {}

}  // namespace pkibridge::server
