// Request/response helpers shared by the API route files: JSON bodies, cookies, the
// Origin policy, CORS headers, client addresses and the admin guard.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/api_routes.hpp"
#include "http/record_json.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

// A JSON request body: Content-Type application/json and a JSON object.
// Codes: unsupported-media-type (415), invalid-json (400).
nlohmann::json json_body(const httplib::Request& req);

// A browser request (Origin header present) must come from a configured portal origin
// (defence in depth on top of SameSite=Strict cookies). Code: origin-forbidden (403).
void check_request_origin(const ApiContext& ctx, const httplib::Request& req);
// CORS headers (with credentials) for configured origins.
void allow_cors(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);

std::optional<std::string> cookie(const httplib::Request& req, const std::string& name);
// Our own cookie values are 43-character base64url tokens.
bool plausible_token(const std::string& value);
std::string client_ip(const ApiContext& ctx, const httplib::Request& req);
// The client of a login-token request: pre-login cookie, address, User-Agent.
ClientInfo login_client(const ApiContext& ctx, const httplib::Request& req);
// The body's "token" member (a login token). Code: token-malformed (400) when absent.
const nlohmann::json& token_member(const nlohmann::json& body);

// Bearer admin token when configured, else loopback peers only.
// Codes: admin-auth-required (401), admin-loopback-only (403).
void require_admin(const ApiContext& ctx, const httplib::Request& req);

}  // namespace pkibridge::server
