#include "http/api_routes.hpp"

#include "core/errors.hpp"
#include "http/json_response.hpp"
#include "http/request_helpers.hpp"

namespace pkibridge::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

constexpr const char* kVersion = "0.1.0";

// Health, metrics and CORS preflight.
class OpsApi {
public:
    explicit OpsApi(ApiContext& ctx) : ctx_(ctx) {}

    void preflight(const Request& req, Response& res) {
        check_request_origin(ctx_, req);
        if (!req.has_header("Origin"))
            throw ServiceError(ErrorKind::BadRequest, "bad-request", "preflight without Origin");
        allow_cors(ctx_, req, res);
        res.set_header("Access-Control-Allow-Methods", "GET, POST");
        res.set_header("Access-Control-Allow-Headers", "Content-Type");
        res.set_header("Access-Control-Max-Age", "600");
        res.status = 204;
    }

    void health(const Request&, Response& res) {
        json body = {{"status", "ok"}, {"version", kVersion}};
        body["uptimeSeconds"] = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::steady_clock::now() - ctx_.started)
                                    .count();
        int status = 200;
        try {
            ctx_.accounts.ping();
            body["database"] = "ok";
        } catch (const std::exception& e) {
            body["database"] = "unavailable";
            body["status"] = "unavailable";
            status = 503;
        }
        auto crl = ctx_.crls.status_json();
        std::size_t errors = 0, stale = 0;
        for (const auto& s : crl["sources"])
            if (!s["lastError"].is_null()) ++errors;
        for (const auto& c : crl["crls"])
            if (c["stale"].get<bool>()) ++stale;
        body["crl"] = {{"generation", crl["generation"]},
                       {"sources", crl["sources"].size()},
                       {"crls", crl["crls"].size()},
                       {"sourcesWithErrors", errors},
                       {"staleCrls", stale}};
        if (status == 200 && (errors || stale)) body["status"] = "degraded";
        write_json(res, status, body);
    }

    void metrics(const Request&, Response& res) {
        res.status = 200;
        res.set_content(ctx_.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    }

private:
    ApiContext& ctx_;
};

}  // namespace

void register_api_routes(HttpServer& server, ApiContext& context) {
    auto api = std::make_shared<OpsApi>(context);
    auto bind = [api](void (OpsApi::*fn)(const Request&, Response&)) {
        return [api, fn](const Request& req, Response& res) { ((*api).*fn)(req, res); };
    };
    server.preflight(bind(&OpsApi::preflight));
    server.get("/api/v1/health", bind(&OpsApi::health));
    server.get("/metrics", bind(&OpsApi::metrics));
    register_login_routes(server, context);
    register_verify_routes(server, context);
    register_admin_routes(server, context);
    register_portal_auth_routes(server, context);
    register_portal_admin_routes(server, context);
    register_portal_pages(server, context);  // last: static files under "/"
}

}  // namespace pkibridge::server
