// The account's own data (/me, /me/profile, /catalogue) and the administration endpoints
// (docs/portal-api.md). Handlers parse, call AdminService / PortalJobs, and serialise;
// role and scope are checked by the services, the session kind by the guard.
#include <algorithm>

#include "core/errors.hpp"
#include "http/api_routes.hpp"
#include "http/json_response.hpp"
#include "http/portal/admin_json.hpp"
#include "http/portal/portal_guard.hpp"
#include "http/request_helpers.hpp"
#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/admin/admin_errors.hpp"
#include "services/admin/admin_service.hpp"
#include "services/admin/portal_jobs.hpp"
#include "services/admin/review_export.hpp"

namespace pkibridge::server {

using nlohmann::json;

namespace {

AdminService& admin_service(ApiContext& ctx) {
    if (!ctx.portal.admin)
        throw ServiceError(ErrorKind::Unavailable, "unavailable",
                           "the portal administration is not configured");
    return *ctx.portal.admin;
}

json account_out(ApiContext& ctx, const AdminAccount& a) {
    return admin_account_json(a, ctx.accounts.certificates_of(a.account.id));
}

// Fields an account may never change about itself (docs/portal.md "Profile").
constexpr const char* kProtectedFields[] = {
    "name",      "nationalId", "agency",        "unit",   "agencyOid", "jurisdictionOid",
    "birthDate", "roles",      "identityTypes", "status", "id",        "statusReason"};

bool is_protected(const std::string& key) {
    for (const char* f : kProtectedFields)
        if (key == f) return true;
    return false;
}

ProfileChange profile_change_from(const json& body, bool with_identity_fields) {
    ProfileChange c;
    if (with_identity_fields) {
        c.national_id = optional_string(body, "nationalId");
        c.name = optional_string(body, "name");
        c.birth_date = optional_string(body, "birthDate");
        c.agency = optional_string(body, "agency");
        c.unit = optional_string(body, "unit");
        c.agency_oid = optional_string(body, "agencyOid");
        c.jurisdiction_oid = optional_string(body, "jurisdictionOid");
    }
    c.email = optional_string(body, "email");
    c.phone = optional_string(body, "phone");
    return c;
}

void reject_unknown(const json& body, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : body.items()) {
        bool ok = false;
        for (const char* a : allowed) ok = ok || key == a;
        if (!ok)
            throw FieldError(ErrorKind::BadRequest, "unknown-field", key,
                             "unknown field '" + key + "'");
    }
}

std::string reason_of(const json& body, bool required) {
    auto r = optional_string(body, "reason");
    if (required && (!r || r->empty()))
        throw FieldError(ErrorKind::BadRequest, "field-required", "reason", "reason is required");
    return r.value_or("");
}

ReviewHeader review_header(ApiContext& ctx, const PortalUser& admin) {
    const std::int64_t now = ctx.clock.now_unix();
    std::string at = portal_time(ctx.portal.calendar, now);
    return {ctx.portal.calendar.day_of(now), at.substr(0, 16),
            admin.account.name + " (" + admin.account.national_id + ")"};
}

std::string style_hash_csp() {
    const auto css = review_print_css();
    auto d =
        pkcs::digest(pkcs::HashAlgorithm::Sha256,
                     pkcs::ByteView(reinterpret_cast<const std::uint8_t*>(css.data()), css.size()));
    return "default-src 'none'; style-src 'sha256-" + pkcs::base64_encode(d) +
           "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
}

void register_own_routes(HttpServer& http, ApiContext& ctx) {
    http.get("/api/v1/portal/me", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser user = require_portal_user(ctx, req, SessionNeed::Any);
            AdminAccount me = admin_service(ctx).own_account(user);
            json out;
            out["account"] = account_out(ctx, me);
            // The home page lists only the systems the account holds; an account that is
            // still being activated sees none (only the registration service).
            out["systems"] = user.activation_only
                                 ? json::array()
                                 : admin_service(ctx).catalogue().entries_json(&me.identity_types);
            out["session"] = {
                {"method", user.session.method},
                {"activationOnly", user.activation_only},
                {"expiresAt", pkcs::format_rfc3339(ctx.sessions.idle_deadline(user.session))}};
            const bool super = user.has_role(roles::kSuperAdmin);
            out["capabilities"] = {
                {"admin",
                 !user.activation_only && (super || user.has_role(roles::kRegistrationAdmin))},
                {"superAdmin", !user.activation_only && super}};
            write_json(res, 200, out);
        });
    });

    http.post("/api/v1/portal/me/profile",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                  with_admin_errors(res, [&] {
                      PortalUser user = require_portal_user(ctx, req, SessionNeed::Full);
                      json body = json_body(req);
                      for (const auto& [key, value] : body.items()) {
                          if (is_protected(key))
                              throw FieldError(ErrorKind::Forbidden, "field-protected", key,
                                               "'" + key +
                                                   "' can only be changed by your registration "
                                                   "administrator");
                      }
                      reject_unknown(body, {"email", "phone"});
                      auto c = profile_change_from(body, false);
                      AdminAccount a = admin_service(ctx).update_own_contact(user, c.email, c.phone,
                                                                             client_ip(ctx, req));
                      write_json(res, 200, {{"account", account_out(ctx, a)}});
                  });
              });

    http.get(
        "/api/v1/portal/catalogue", [&ctx](const httplib::Request& req, httplib::Response& res) {
            with_admin_errors(res, [&] {
                require_portal_user(ctx, req, SessionNeed::Full);
                write_json(res, 200, {{"systems", admin_service(ctx).catalogue().entries_json()}});
            });
        });
}

void register_account_routes(HttpServer& http, ApiContext& ctx) {
    http.get("/api/v1/portal/admin/accounts",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
                 with_admin_errors(res, [&] {
                     PortalUser admin = require_portal_admin(ctx, req);
                     AccountFilter filter;
                     filter.query = req.get_param_value("q");
                     if (filter.query.size() > 200)
                         throw FieldError(ErrorKind::BadRequest, "field-too-long", "q",
                                          "the search text is too long");
                     if (auto s = req.get_param_value("status"); !s.empty()) {
                         if (s != "pending" && s != "active" && s != "disabled" && s != "locked")
                             throw FieldError(ErrorKind::BadRequest, "invalid-status", "status",
                                              "status must be pending, active, disabled, locked");
                         filter.status = parse_account_status(s);
                     }
                     const std::size_t offset = query_size(req, "offset").value_or(0);
                     const std::size_t limit =
                         std::clamp<std::size_t>(query_size(req, "limit").value_or(50), 1, 500);
                     auto page = admin_service(ctx).list(admin, filter, offset, limit);
                     json list = json::array();
                     for (const auto& a : page.accounts) list.push_back(account_out(ctx, a));
                     write_json(res, 200, {{"accounts", list}, {"total", page.total}});
                 });
             });

    http.get("/api/v1/portal/admin/account",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
                 with_admin_errors(res, [&] {
                     PortalUser admin = require_portal_admin(ctx, req);
                     auto a = admin_service(ctx).get(admin, required_query_id(req));
                     write_json(res, 200, {{"account", account_out(ctx, a)}});
                 });
             });

    http.post("/api/v1/portal/admin/accounts/create", [&ctx](const httplib::Request& req,
                                                             httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            reject_unknown(body, {"nationalId", "name", "birthDate", "agency", "unit", "agencyOid",
                                  "jurisdictionOid", "email", "phone", "identityTypes", "roles"});
            NewAccount n;
            n.profile.national_id = optional_string(body, "nationalId").value_or("");
            n.profile.name = optional_string(body, "name").value_or("");
            n.profile.birth_date = optional_string(body, "birthDate");
            n.profile.agency = optional_string(body, "agency");
            n.profile.unit = optional_string(body, "unit");
            n.profile.agency_oid = optional_string(body, "agencyOid");
            n.profile.jurisdiction_oid = optional_string(body, "jurisdictionOid");
            n.profile.email = optional_string(body, "email");
            n.profile.phone = optional_string(body, "phone");
            if (body.contains("identityTypes"))
                n.identity_types = string_list(body, "identityTypes");
            if (body.contains("roles")) n.roles = string_list(body, "roles");
            auto r = admin_service(ctx).create(admin, std::move(n), client_ip(ctx, req));
            write_json(
                res, 201,
                {{"account", account_out(ctx, r.account)}, {"initialPasswordValidOn", r.valid_on}});
        });
    });

    http.post("/api/v1/portal/admin/accounts/update", [&ctx](const httplib::Request& req,
                                                             httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            reject_unknown(body, {"id", "nationalId", "name", "birthDate", "agency", "unit",
                                  "agencyOid", "jurisdictionOid", "email", "phone"});
            const auto id = required_id(body);
            auto a = admin_service(ctx).update(admin, id, profile_change_from(body, true),
                                               client_ip(ctx, req));
            write_json(res, 200, {{"account", account_out(ctx, a)}});
        });
    });

    http.post("/api/v1/portal/admin/accounts/identity-types", [&ctx](const httplib::Request& req,
                                                                     httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            auto a = admin_service(ctx).set_identity_types(
                admin, required_id(body), string_list(body, "identityTypes"), client_ip(ctx, req));
            write_json(res, 200, {{"account", account_out(ctx, a)}});
        });
    });

    http.post("/api/v1/portal/admin/accounts/roles", [&ctx](const httplib::Request& req,
                                                            httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_super_admin(ctx, req);
            json body = json_body(req);
            auto a = admin_service(ctx).set_roles(admin, required_id(body),
                                                  string_list(body, "roles"), client_ip(ctx, req));
            write_json(res, 200, {{"account", account_out(ctx, a)}});
        });
    });

    http.post("/api/v1/portal/admin/accounts/status", [&ctx](const httplib::Request& req,
                                                             httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            const auto id = required_id(body);
            const auto status = optional_string(body, "status").value_or("");
            if (status != "active" && status != "disabled")
                throw FieldError(ErrorKind::BadRequest, "invalid-status", "status",
                                 "status must be \"active\" or \"disabled\"");
            auto a = admin_service(ctx).set_status(admin, id, parse_account_status(status),
                                                   reason_of(body, false), client_ip(ctx, req));
            write_json(res, 200, {{"account", account_out(ctx, a)}});
        });
    });

    http.post("/api/v1/portal/admin/accounts/delete", [&ctx](const httplib::Request& req,
                                                             httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            const auto id = required_id(body);
            admin_service(ctx).remove(admin, id, reason_of(body, true), client_ip(ctx, req));
            res.status = 204;
        });
    });

    http.post("/api/v1/portal/admin/accounts/unlock", [&ctx](const httplib::Request& req,
                                                             httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            auto a = admin_service(ctx).unlock(admin, required_id(body), client_ip(ctx, req));
            write_json(res, 200, {{"account", account_out(ctx, a)}});
        });
    });

    http.post("/api/v1/portal/admin/accounts/reopen", [&ctx](const httplib::Request& req,
                                                             httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            json body = json_body(req);
            auto r = admin_service(ctx).reopen(admin, required_id(body), client_ip(ctx, req));
            write_json(
                res, 200,
                {{"account", account_out(ctx, r.account)}, {"initialPasswordValidOn", r.valid_on}});
        });
    });
}

void register_audit_review_job_routes(HttpServer& http, ApiContext& ctx) {
    http.get(
        "/api/v1/portal/admin/audit", [&ctx](const httplib::Request& req, httplib::Response& res) {
            with_admin_errors(res, [&] {
                PortalUser admin = require_portal_admin(ctx, req);
                std::optional<std::int64_t> account;
                if (req.has_param("accountId")) account = required_query_id(req, "accountId");
                auto entries =
                    admin_service(ctx).audit(admin, account, query_size(req, "offset").value_or(0),
                                             query_size(req, "limit").value_or(100));
                json list = json::array();
                for (const auto& e : entries) list.push_back(audit_entry_json(e));
                write_json(res, 200, {{"entries", list}});
            });
        });

    http.get("/api/v1/portal/admin/review.csv", [&ctx](const httplib::Request& req,
                                                       httplib::Response& res) {
        with_admin_errors(res, [&] {
            PortalUser admin = require_portal_admin(ctx, req);
            auto& svc = admin_service(ctx);
            const auto header = review_header(ctx, admin);
            res.status = 200;
            res.set_content(
                review_csv(svc.review(admin), svc.catalogue(), ctx.portal.calendar, header),
                "text/csv; charset=utf-8");
            res.set_header("Content-Disposition", "attachment; filename=\"account-review-" +
                                                      header.generated_day + ".csv\"");
        });
    });

    http.get("/api/v1/portal/admin/review.html",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
                 with_admin_errors(res, [&] {
                     PortalUser admin = require_portal_admin(ctx, req);
                     auto& svc = admin_service(ctx);
                     res.status = 200;
                     res.set_content(review_html(svc.review(admin), svc.catalogue(),
                                                 ctx.portal.calendar, review_header(ctx, admin)),
                                     "text/html; charset=utf-8");
                     // Only the page's own inline style sheet, by hash; no scripts at all.
                     static const std::string csp = style_hash_csp();
                     res.headers.erase("Content-Security-Policy");
                     res.set_header("Content-Security-Policy", csp);
                 });
             });

    http.post("/api/v1/portal/admin/jobs/run",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                  with_admin_errors(res, [&] {
                      require_super_admin(ctx, req);
                      json body = json_body(req);
                      const auto job = optional_string(body, "job").value_or("");
                      if (!ctx.portal.jobs)
                          throw ServiceError(ErrorKind::Unavailable, "unavailable",
                                             "the portal jobs are not configured");
                      const auto affected = ctx.portal.jobs->run(job);
                      write_json(res, 200, {{"job", job}, {"affected", affected}});
                  });
              });
}

}  // namespace

void register_portal_admin_routes(HttpServer& http, ApiContext& ctx) {
    register_own_routes(http, ctx);
    register_account_routes(http, ctx);
    register_audit_review_job_routes(http, ctx);
}

}  // namespace pkibridge::server
