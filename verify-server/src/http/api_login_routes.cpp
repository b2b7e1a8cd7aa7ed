// Challenges, certificate login, the session and logout.
#include "http/api_routes.hpp"

#include "core/errors.hpp"
#include "core/random.hpp"
#include "http/cookies.hpp"
#include "http/json_response.hpp"
#include "http/request_helpers.hpp"
#include "http/session_cookie.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

constexpr std::size_t kRecentLogins = 5;

class LoginApi {
public:
    explicit LoginApi(ApiContext& ctx) : ctx_(ctx) {}

    void challenge(const Request& req, Response& res) {
        check_request_origin(ctx_, req);
        allow_cors(ctx_, req, res);
        std::string prelogin;
        if (auto c = cookie(req, ctx_.config.sessions.prelogin_cookie_name);
            c && plausible_token(*c)) {
            prelogin = *c;
        } else {
            prelogin = random_token(32);
            res.set_header("Set-Cookie",
                           set_cookie_value(ctx_.config.sessions.prelogin_cookie_name, prelogin,
                                            CookieAttributes{ctx_.secure_cookies, std::nullopt}));
        }
        IssuedChallenge ch = ctx_.challenges.issue(prelogin);
        const auto expires = to_unix(ch.expires_at);
        write_json(res, 200,
                   {{"nonce", ch.nonce},
                    {"expiresAt", pkcs::format_rfc3339(expires)},
                    {"expiresInSeconds", ctx_.challenges.lifetime().count()}});
    }

    void login_certificate(const Request& req, Response& res) {
        check_request_origin(ctx_, req);
        allow_cors(ctx_, req, res);
        json body = json_body(req);
        LoginResult r =
            ctx_.login.login_with_certificate(token_member(body), login_client(ctx_, req));
        set_session_cookie(ctx_, req, res, r.session.id);
        write_json(
            res, 200,
            {{"account", account_json(r.account)},
             {"certificate",
              {{"subject", r.certificate.subject()},
               {"issuer", r.certificate.issuer()},
               {"serial", r.certificate.serial_hex()},
               {"sha256", r.certificate.sha256_fingerprint()},
               {"notAfter", pkcs::format_rfc3339(r.certificate.not_after())}}},
             {"session",
              {{"expiresAt", pkcs::format_rfc3339(ctx_.sessions.idle_deadline(r.session.record))},
               {"idleTimeoutSeconds", ctx_.sessions.policy().idle_timeout_seconds},
               {"absoluteExpiresAt", pkcs::format_rfc3339(r.session.record.expires_at)}}}});
    }

    void session(const Request& req, Response& res) {
        allow_cors(ctx_, req, res);
        auto s = current_session(req);
        auto account = ctx_.accounts.account_by_id(s.account_id);
        if (!account) throw not_authenticated();
        auto logins = ctx_.accounts.recent_logins(account->id, kRecentLogins);
        json recent = json::array();
        for (const auto& e : logins) recent.push_back(login_json(e));
        json last_certificate = nullptr;
        // The login before this session's own one: what "last certificate login" shows.
        bool skipped_current = false;
        for (const auto& e : logins) {
            if (e.method != "certificate") continue;
            if (!skipped_current && e.at == s.created_at) {
                skipped_current = true;
                continue;
            }
            last_certificate = login_json(e);
            break;
        }
        write_json(res, 200,
                   {{"account", account_json(*account)},
                    {"session",
                     {{"method", s.method},
                      {"certificateSha256", optional_json(s.certificate_sha256)},
                      {"createdAt", pkcs::format_rfc3339(s.created_at)},
                      {"expiresAt", pkcs::format_rfc3339(ctx_.sessions.idle_deadline(s))},
                      {"absoluteExpiresAt", pkcs::format_rfc3339(s.expires_at)}}},
                    {"lastLogins", recent},
                    {"previousCertificateLogin", last_certificate}});
    }

    void logout(const Request& req, Response& res) {
        check_request_origin(ctx_, req);
        allow_cors(ctx_, req, res);
        if (auto c = cookie(req, ctx_.config.sessions.cookie_name)) ctx_.sessions.destroy(*c);
        res.set_header("Set-Cookie",
                       expire_cookie_value(ctx_.config.sessions.cookie_name, ctx_.secure_cookies));
        write_json(res, 200, {{"loggedOut", true}});
    }

private:
    static ServiceError not_authenticated() {
        return ServiceError(ErrorKind::Unauthenticated, "not-authenticated",
                            "no valid session; log in first");
    }

    SessionRecord current_session(const Request& req) {
        auto c = cookie(req, ctx_.config.sessions.cookie_name);
        if (!c) throw not_authenticated();
        auto s = ctx_.sessions.resolve(*c);
        if (!s) throw not_authenticated();
        return *s;
    }

    ApiContext& ctx_;
};

}  // namespace

void register_login_routes(HttpServer& server, ApiContext& context) {
    auto api = std::make_shared<LoginApi>(context);
    auto bind = [api](void (LoginApi::*fn)(const Request&, Response&)) {
        return [api, fn](const Request& req, Response& res) { ((*api).*fn)(req, res); };
    };
    server.post("/api/v1/challenge", bind(&LoginApi::challenge));
    server.post("/api/v1/login/certificate", bind(&LoginApi::login_certificate));
    server.get("/api/v1/session", bind(&LoginApi::session));
    server.post("/api/v1/logout", bind(&LoginApi::logout));
}

}  // namespace pkibridge::server
