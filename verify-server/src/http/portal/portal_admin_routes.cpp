// SCAFFOLD: replaced by the portal admin routes (docs/portal-api.md).
#include "http/api_routes.hpp"

namespace pkibridge::server {

void register_portal_admin_routes(HttpServer&, ApiContext&) {}

}  // namespace pkibridge::server
