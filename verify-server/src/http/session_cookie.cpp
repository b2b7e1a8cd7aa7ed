#include "http/session_cookie.hpp"

#include "http/cookies.hpp"
#include "http/request_helpers.hpp"

namespace pkibridge::server {

void set_session_cookie(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const std::string& session_id) {
    if (auto old = cookie(req, ctx.config.sessions.cookie_name)) ctx.sessions.destroy(*old);
    res.set_header("Set-Cookie",
                   set_cookie_value(ctx.config.sessions.cookie_name, session_id,
                                    CookieAttributes{ctx.secure_cookies, std::nullopt}));
}

}  // namespace pkibridge::server
