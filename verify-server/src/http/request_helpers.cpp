#include "http/request_helpers.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "core/random.hpp"
#include "http/cookies.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

std::string client_ip(const ApiContext& ctx, const Request& req) {
    if (ctx.config.http.trust_forwarded_for && req.has_header("X-Forwarded-For")) {
        std::string xff = req.get_header_value("X-Forwarded-For");
        auto comma = xff.find(',');
        std::string first = xff.substr(0, comma);
        first.erase(0, first.find_first_not_of(" \t"));
        first.erase(first.find_last_not_of(" \t") + 1);
        if (!first.empty() && first.size() <= 64) return first;
    }
    return req.remote_addr;
}

ClientInfo login_client(const ApiContext& ctx, const Request& req) {
    ClientInfo client;
    client.prelogin_id = cookie(req, ctx.config.sessions.prelogin_cookie_name).value_or("");
    client.ip = client_ip(ctx, req);
    client.user_agent = req.get_header_value("User-Agent");
    return client;
}

const json& token_member(const json& body) {
    auto token = body.find("token");
    if (token == body.end())
        throw ServiceError(ErrorKind::BadRequest, "token-malformed",
                           "the request body needs a \"token\" member");
    return *token;
}

// A JSON request body: Content-Type application/json and a JSON object.
json json_body(const Request& req) {
    std::string type = req.get_header_value("Content-Type");
    std::transform(type.begin(), type.end(), type.begin(), ::tolower);
    if (type.rfind("application/json", 0) != 0) {
        throw ServiceError(ErrorKind::UnsupportedMediaType, "unsupported-media-type",
                           "send the request body as application/json");
    }
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded())
        throw ServiceError(ErrorKind::BadRequest, "invalid-json", "the request body is not JSON");
    if (!body.is_object())
        throw ServiceError(ErrorKind::BadRequest, "invalid-json",
                           "the request body must be a JSON object");
    return body;
}

// A browser POST from a page of another origin is refused outright (defence in depth on
// top of SameSite=Strict cookies). Requests without Origin (non-browser clients) pass.
void check_request_origin(const ApiContext& ctx, const Request& req) {
    if (!req.has_header("Origin")) return;
    const std::string origin = req.get_header_value("Origin");
    if (std::find(ctx.config.origins.begin(), ctx.config.origins.end(), origin) ==
        ctx.config.origins.end()) {
        throw ServiceError(ErrorKind::Forbidden, "origin-forbidden",
                           "requests from this origin are not accepted");
    }
}

void allow_cors(const ApiContext& ctx, const Request& req, Response& res) {
    if (!req.has_header("Origin")) return;
    const std::string origin = req.get_header_value("Origin");
    if (std::find(ctx.config.origins.begin(), ctx.config.origins.end(), origin) !=
        ctx.config.origins.end()) {
        res.set_header("Access-Control-Allow-Origin", origin);
        res.set_header("Access-Control-Allow-Credentials", "true");
        res.set_header("Vary", "Origin");
    }
}

std::optional<std::string> cookie(const Request& req, const std::string& name) {
    if (!req.has_header("Cookie")) return std::nullopt;
    // Several Cookie headers are legal over HTTP/2 proxies; look at each.
    for (std::size_t i = 0; i < req.get_header_value_count("Cookie"); ++i) {
        if (auto v = cookie_value(req.get_header_value("Cookie", i), name)) return v;
    }
    return std::nullopt;
}

bool plausible_token(const std::string& v) {
    return v.size() >= 32 && v.size() <= 128 &&
           std::all_of(v.begin(), v.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

void require_admin(const ApiContext& ctx, const Request& req) {
    if (!ctx.config.admin.token.empty()) {
        const std::string auth = req.get_header_value("Authorization");
        const std::string prefix = "Bearer ";
        if (auth.rfind(prefix, 0) != 0 ||
            !constant_time_equals(auth.substr(prefix.size()), ctx.config.admin.token)) {
            throw ServiceError(ErrorKind::Unauthenticated, "admin-auth-required",
                               "admin endpoints need Authorization: Bearer <admin token>");
        }
        return;
    }
    // No token configured: the direct peer must be this machine (X-Forwarded-For is never
    // trusted for this).
    if (!is_loopback_host(req.remote_addr)) {
        throw ServiceError(ErrorKind::Forbidden, "admin-loopback-only",
                           "admin endpoints are only served to loopback clients unless an "
                           "admin token is configured");
    }
}

}  // namespace pkibridge::server
