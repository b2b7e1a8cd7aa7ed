// SCAFFOLD: replaced by the static portal pages.
#include "http/api_routes.hpp"

namespace pkibridge::server {

void register_portal_pages(HttpServer&, ApiContext&) {}

}  // namespace pkibridge::server
