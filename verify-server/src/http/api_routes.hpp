// The /api/v1 endpoints, /metrics and the admin endpoints (docs/server-api.md). Handlers
// only translate between HTTP and the services: parse, call, serialise.
#pragma once

#include <chrono>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "http/http_server.hpp"
#include "services/challenge_store.hpp"
#include "services/crl_manager.hpp"
#include "services/login_service.hpp"
#include "services/metrics.hpp"
#include "services/portal_services.hpp"
#include "services/session_service.hpp"
#include "services/verification_service.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

struct ApiContext {
    const ServerConfig& config;
    const Clock& clock;
    Metrics& metrics;
    AccountStore& accounts;
    ChallengeStore& challenges;
    SessionService& sessions;
    VerificationService& verifier;
    LoginService& login;
    CrlManager& crls;
    PortalServices& portal;
    bool secure_cookies = true;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Every route; the groups live in their own files.
void register_api_routes(HttpServer& server, ApiContext& context);
void register_login_routes(HttpServer& server, ApiContext& context);   // api_login_routes.cpp
void register_verify_routes(HttpServer& server, ApiContext& context);  // api_verify_routes.cpp
void register_admin_routes(HttpServer& server, ApiContext& context);   // api_admin_routes.cpp
// The portal (docs/portal-api.md), in http/portal/.
void register_portal_auth_routes(HttpServer& server, ApiContext& context);
void register_portal_admin_routes(HttpServer& server, ApiContext& context);
void register_portal_pages(HttpServer& server, ApiContext& context);

}  // namespace pkibridge::server
