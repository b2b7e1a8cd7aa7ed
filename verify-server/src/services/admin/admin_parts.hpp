// The administration's objects, built together by server_app.cpp: the catalogue (loaded
// from the data file), the admin store, AdminService and the scheduled jobs.
#pragma once

#include "config/config.hpp"
#include "services/admin/admin_service.hpp"
#include "services/admin/catalogue.hpp"
#include "services/admin/portal_jobs.hpp"
#include "store/portal/admin_store.hpp"

namespace pkibridge::server {

struct AdminParts {
    // Throws ConfigError when the catalogue cannot be found or read.
    AdminParts(const ServerConfig& config, SqliteAccountStore& accounts,
               CredentialService& credentials, AuditLog& audit, Mailer* mailer, const Clock& clock,
               PortalCalendar calendar);

    Catalogue catalogue;
    SqliteAdminStore store;
    AdminService service;
    PortalJobs jobs;
};

}  // namespace pkibridge::server
