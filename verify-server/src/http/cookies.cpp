#include "http/cookies.hpp"

namespace pkibridge::server {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
}  // namespace

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (trim(pair.substr(0, eq)) != name) continue;
        std::string_view value = trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return std::string(value);
    }
    return std::nullopt;
}

std::string set_cookie_value(std::string_view name, std::string_view value,
                             const CookieAttributes& a) {
    std::string out;
    out.append(name).append("=").append(value).append("; Path=/; HttpOnly; SameSite=Strict");
    if (a.secure) out.append("; Secure");
    if (a.max_age) out.append("; Max-Age=").append(std::to_string(*a.max_age));
    return out;
}

std::string expire_cookie_value(std::string_view name, bool secure) {
    return set_cookie_value(name, "", CookieAttributes{secure, 0});
}

}  // namespace pkibridge::server
