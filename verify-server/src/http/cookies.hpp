// Cookie header parsing and Set-Cookie values. Every cookie we set is HttpOnly and
// SameSite=Strict; Secure is dropped only in loopback --insecure-http mode (browsers would
// otherwise refuse to send it back over plain HTTP).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pkibridge::server {

// The value of the named cookie in a Cookie request header (first occurrence).
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

struct CookieAttributes {
    bool secure = true;
    std::optional<long long> max_age;  // none: a browser-session cookie
};

std::string set_cookie_value(std::string_view name, std::string_view value,
                             const CookieAttributes& attributes);
// A Set-Cookie that deletes the cookie.
std::string expire_cookie_value(std::string_view name, bool secure);

}  // namespace pkibridge::server
