// The end of every successful login (certificate or password): a session cookie the
// browser still had is replaced and its session ended, and the new session's cookie set.
#pragma once

#include <httplib.h>

#include <string>

#include "http/api_routes.hpp"

namespace pkibridge::server {

void set_session_cookie(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const std::string& session_id);

}  // namespace pkibridge::server
