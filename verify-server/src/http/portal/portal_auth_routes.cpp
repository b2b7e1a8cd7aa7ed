// The portal's login endpoints (docs/portal-api.md "Login"): CAPTCHA, password-based
// logins, password change, certificate registration, authenticator (TOTP), logout
// everywhere, and the administrator's one-day password switch.
#include <string>

#include "core/errors.hpp"
#include "http/api_routes.hpp"
#include "http/cookies.hpp"
#include "http/json_response.hpp"
#include "http/portal/portal_guard.hpp"
#include "http/request_helpers.hpp"
#include "http/session_cookie.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/auth/auth_error.hpp"
#include "services/auth/captcha_service.hpp"
#include "services/auth/certificate_registration_service.hpp"
#include "services/auth/credential_service.hpp"
#include "services/auth/one_day_password_service.hpp"
#include "services/auth/password_login_service.hpp"
#include "services/auth/totp_service.hpp"

namespace pkibridge::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

void write_auth_error(Response& res, const AuthError& e) {
    json err = {{"code", e.code()}, {"message", e.what()}, {"messageZh", e.message_zh()}};
    for (const auto& [k, v] : e.extra().items()) err[k] = v;
    if (auto retry = e.extra().find("retryAfterSeconds"); retry != e.extra().end())
        res.set_header("Retry-After", std::to_string(retry->get<std::int64_t>()));
    write_json(res, http_status_for(e.kind()), {{"error", std::move(err)}});
}

// A string member; absent -> "" (the services say what is missing), wrong type -> 400.
std::string string_member(const json& body, const char* name, std::size_t max_len = 4096) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return {};
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max_len)
        throw ServiceError(ErrorKind::BadRequest, "field-invalid",
                           std::string("\"") + name + "\" must be a string of at most " +
                               std::to_string(max_len) + " bytes");
    return it->get<std::string>();
}

// The secret members are moved out of the parsed body and the body's copy wiped.
pkcs::SecretString secret_member(json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return {};
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 1024)
        throw ServiceError(ErrorKind::BadRequest, "field-invalid",
                           std::string("\"") + name + "\" must be a string");
    auto& s = it->get_ref<std::string&>();
    pkcs::SecretString out(s);
    pkcs::secure_zero(s.data(), s.size());
    s.clear();
    return out;
}

class PortalAuthApi {
public:
    explicit PortalAuthApi(ApiContext& ctx) : ctx_(ctx) {}

    void captcha(const Request& req, Response& res) {
        check_request_origin(ctx_, req);
        IssuedCaptcha c = auth().captchas->issue();
        const std::string data_uri =
            "data:image/png;base64," + pkcs::base64_encode(pkcs::as_bytes(std::string_view(c.png)));
        // Test hook (loopback-only servers started with --test-captcha-answers).
        if (ctx_.config.test_hooks.expose_captcha_answer)
            res.set_header("X-Test-Captcha-Answer", c.answer);
        write_json(res, 200,
                   {{"captchaId", c.id},
                    {"image", data_uri},
                    {"expiresInSeconds", auth().captchas->lifetime_seconds()}});
    }

    void login_password(const Request& req, Response& res) {
        check_request_origin(ctx_, req);
        json body = json_body(req);
        PasswordLoginRequest in;
        in.mode = parse_password_login_mode(string_member(body, "mode", 16));
        in.national_id = string_member(body, "nationalId", 64);
        in.password = secret_member(body, "password");
        in.captcha_id = string_member(body, "captchaId", 64);
        in.captcha_answer = string_member(body, "captchaAnswer", 32);
        in.check_code = secret_member(body, "checkCode");
        in.totp_code = string_member(body, "totpCode", 16);
        in.ip = client_ip(ctx_, req);
        in.user_agent = req.get_header_value("User-Agent");
        PasswordLoginResult r = auth().password_login->login(in);
        set_session_cookie(ctx_, req, res, r.session.id);
        write_json(res, 200,
                   {{"account", account_json(r.account)},
                    {"next", r.next},
                    {"activationOnly", r.activation_only},
                    {"sessionExpiresAt",
                     pkcs::format_rfc3339(ctx_.sessions.idle_deadline(r.session.record))}});
    }

    void change_password(const Request& req, Response& res) {
        PortalUser user = require_portal_user(ctx_, req, SessionNeed::Any);
        json body = json_body(req);
        pkcs::SecretString current = secret_member(body, "currentPassword");
        pkcs::SecretString next = secret_member(body, "newPassword");
        auth().credentials->change_password(user.account, current.value(), next.value(),
                                            client_ip(ctx_, req));
        // Whoever else holds a session of this account (e.g. with the old password) loses it.
        ctx_.accounts.delete_sessions_of(user.account.id, user.session.id_hash);
        res.status = 204;
    }

    void register_certificate(const Request& req, Response& res) {
        PortalUser user = require_portal_user(ctx_, req, SessionNeed::Any);
        json body = json_body(req);
        CertificateRegistrationResult r = auth().certificate_registration->register_certificate(
            user, token_member(body), login_client(ctx_, req));
        json certificate = certificate_json(r.certificate);
        certificate["id"] = r.certificate.id;
        write_json(res, 200,
                   {{"certificate", std::move(certificate)},
                    {"account", account_json(r.account)},
                    {"activated", r.activated}});
    }

    void totp_status(const Request& req, Response& res) {
        PortalUser user = require_portal_user(ctx_, req, SessionNeed::Full);
        TotpStatus s = auth().totp->status(user.account.id);
        write_json(res, 200,
                   {{"enrolled", s.enrolled},
                    {"version", s.version},
                    {"createdAt", optional_time_json(s.created_at)}});
    }

    void totp_rebuild(const Request& req, Response& res) {
        PortalUser user = require_portal_user(ctx_, req, SessionNeed::Full);
        TotpEnrollment e = auth().totp->rebuild(user.account, client_ip(ctx_, req));
        write_json(res, 200,
                   {{"version", e.version},
                    {"otpauthUri", e.otpauth_uri},
                    {"qrSvg", e.qr_svg},
                    {"secretBase32", e.secret_base32},
                    {"createdAt", pkcs::format_rfc3339(e.created_at)}});
    }

    void logout_everywhere(const Request& req, Response& res) {
        PortalUser user = require_portal_user(ctx_, req, SessionNeed::Any);
        ctx_.accounts.delete_sessions_of(user.account.id);
        res.set_header("Set-Cookie",
                       expire_cookie_value(ctx_.config.sessions.cookie_name, ctx_.secure_cookies));
        res.status = 204;
    }

    void enable_one_day_password(const Request& req, Response& res) {
        PortalUser admin = require_portal_admin(ctx_, req);
        json body = json_body(req);
        auto id = body.find("id");
        if (id == body.end() || !id->is_number_integer())
            throw ServiceError(ErrorKind::BadRequest, "field-invalid",
                               "\"id\" must be the account id (an integer)");
        OneDayPasswordEnabled r = auth().one_day_passwords->enable(
            admin, id->get<std::int64_t>(), string_member(body, "reason", 2000),
            client_ip(ctx_, req));
        write_json(res, 200, {{"validOn", r.valid_on}, {"sentTo", r.sent_to}});
    }

private:
    const PortalServices& auth() const {
        if (!ctx_.portal.password_login)
            throw ServiceError(ErrorKind::Unavailable, "unavailable",
                               "the portal's login services are not running");
        return ctx_.portal;
    }

    ApiContext& ctx_;
};

}  // namespace

void register_portal_auth_routes(HttpServer& server, ApiContext& context) {
    auto api = std::make_shared<PortalAuthApi>(context);
    auto bind = [api](void (PortalAuthApi::*fn)(const Request&, Response&)) {
        return [api, fn](const Request& req, Response& res) {
            try {
                ((*api).*fn)(req, res);
            } catch (const AuthError& e) {
                write_auth_error(res, e);
            }
        };
    };
    server.get("/api/v1/portal/captcha", bind(&PortalAuthApi::captcha));
    server.post("/api/v1/portal/login/password", bind(&PortalAuthApi::login_password));
    server.post("/api/v1/portal/password", bind(&PortalAuthApi::change_password));
    server.post("/api/v1/portal/certificate/register", bind(&PortalAuthApi::register_certificate));
    server.get("/api/v1/portal/totp", bind(&PortalAuthApi::totp_status));
    server.post("/api/v1/portal/totp", bind(&PortalAuthApi::totp_rebuild));
    server.post("/api/v1/portal/logout-everywhere", bind(&PortalAuthApi::logout_everywhere));
    server.post("/api/v1/portal/admin/accounts/one-day-password",
                bind(&PortalAuthApi::enable_one_day_password));
}

}  // namespace pkibridge::server
