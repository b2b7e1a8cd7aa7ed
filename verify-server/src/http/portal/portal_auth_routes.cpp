// SCAFFOLD: replaced by the portal auth routes (docs/portal-api.md).
#include "http/api_routes.hpp"

namespace pkibridge::server {

void register_portal_auth_routes(HttpServer&, ApiContext&) {}

}  // namespace pkibridge::server
