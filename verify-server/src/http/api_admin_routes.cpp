// The admin endpoints: CRL status and refresh, account creation and listing.
#include "http/api_routes.hpp"

#include "core/errors.hpp"
#include "http/json_response.hpp"
#include "http/request_helpers.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "services/account_service.hpp"

namespace pkibridge::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

class AdminApi {
public:
    explicit AdminApi(ApiContext& ctx) : ctx_(ctx) {}

    void admin_crls(const Request& req, Response& res) {
        require_admin(ctx_, req);
        write_json(res, 200, ctx_.crls.status_json());
    }

    void admin_crls_refresh(const Request& req, Response& res) {
        require_admin(ctx_, req);
        ctx_.crls.refresh_all();
        write_json(res, 200, ctx_.crls.status_json());
    }

    void admin_create_account(const Request& req, Response& res) {
        require_admin(ctx_, req);
        json body = json_body(req);
        auto text = [&](const char* key, bool required) -> std::optional<std::string> {
            auto it = body.find(key);
            if (it == body.end() || it->is_null()) {
                if (required)
                    throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                                       std::string("\"") + key + "\" is required");
                return std::nullopt;
            }
            if (!it->is_string())
                throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                                   std::string("\"") + key + "\" must be a string");
            return it->get<std::string>();
        };
        AccountProfile p;
        p.national_id = *text("nationalId", true);
        p.name = *text("name", true);
        p.birth_date = text("birthDate", false);
        p.agency = text("agency", false);
        p.unit = text("unit", false);
        p.agency_oid = text("agencyOid", false);
        p.jurisdiction_oid = text("jurisdictionOid", false);
        p.email = text("email", false);
        p.phone = text("phone", false);
        try {
            p.status = parse_account_status(text("status", false).value_or("active"));
        } catch (const StoreError&) {
            throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                               "status must be pending, active, disabled or locked");
        }
        if (auto it = body.find("roles"); it != body.end() && !it->is_null()) {
            if (!it->is_array())
                throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                                   "roles must be an array");
            for (const auto& r : *it) {
                if (!r.is_string())
                    throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                                       "roles must be strings");
                p.roles.push_back(r.get<std::string>());
            }
        }
        std::optional<pkcs::Certificate> cert;
        if (auto c = text("certificate", false)) {
            try {
                cert = pkcs::Certificate::parse(pkcs::as_bytes(*c));
            } catch (const pkcs::PkcsError& e) {
                throw ServiceError(ErrorKind::BadRequest, "invalid-certificate", e.what());
            }
        }
        bool force = false;
        if (auto it = body.find("force"); it != body.end() && it->is_boolean())
            force = it->get<bool>();
        Account a = AccountService(ctx_.accounts).create(p, cert, force, "admin-api");
        json certs = json::array();
        for (const auto& c : ctx_.accounts.certificates_of(a.id)) certs.push_back(c.sha256);
        write_json(res, 201, {{"account", account_json(a)}, {"certificates", certs}});
    }

    void admin_list_accounts(const Request& req, Response& res) {
        require_admin(ctx_, req);
        auto number = [&](const char* key, std::size_t fallback) {
            if (!req.has_param(key)) return fallback;
            try {
                return static_cast<std::size_t>(std::stoull(req.get_param_value(key)));
            } catch (const std::exception&) {
                throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                                   std::string(key) + " must be a number");
            }
        };
        const std::size_t limit = std::min<std::size_t>(number("limit", 100), 1000);
        json list = json::array();
        for (const auto& a : ctx_.accounts.list_accounts(limit, number("offset", 0))) {
            json j = account_json(a);
            json certs = json::array();
            for (const auto& c : ctx_.accounts.certificates_of(a.id)) certs.push_back(c.sha256);
            j["certificates"] = certs;
            list.push_back(std::move(j));
        }
        write_json(res, 200, {{"accounts", list}, {"total", ctx_.accounts.count_accounts()}});
    }

private:
    ApiContext& ctx_;
};

}  // namespace

void register_admin_routes(HttpServer& server, ApiContext& context) {
    auto api = std::make_shared<AdminApi>(context);
    auto bind = [api](void (AdminApi::*fn)(const Request&, Response&)) {
        return [api, fn](const Request& req, Response& res) { ((*api).*fn)(req, res); };
    };
    server.get("/api/v1/admin/crls", bind(&AdminApi::admin_crls));
    server.post("/api/v1/admin/crls/refresh", bind(&AdminApi::admin_crls_refresh));
    server.post("/api/v1/admin/accounts", bind(&AdminApi::admin_create_account));
    server.get("/api/v1/admin/accounts", bind(&AdminApi::admin_list_accounts));
}

}  // namespace pkibridge::server
