// Single configuration values: listen addresses, loopback hosts, portal origins.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "config/config.hpp"
#include "core/errors.hpp"

namespace pkibridge::server {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

int parse_port(std::string_view text, std::string_view what) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw ConfigError(std::string(what) + ": port must be a number 0-65535 (got '" +
                          std::string(text) + "')");
    }
    int port = std::stoi(std::string(text));
    if (port > 65535) throw ConfigError(std::string(what) + ": port out of range");
    return port;
}

}  // namespace

std::string ListenAddress::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

ListenAddress parse_listen_address(std::string_view text, const ListenAddress& defaults) {
    ListenAddress out = defaults;
    if (text.empty()) throw ConfigError("listen address is empty");
    std::string_view host;
    std::string_view port;
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw ConfigError("listen address must look like [::1]:8443 (got '" +
                              std::string(text) + "')");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            throw ConfigError("listen address must be HOST:PORT (got '" + std::string(text) + "')");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            throw ConfigError("IPv6 listen addresses need brackets: [::1]:8443");
    }
    if (!host.empty()) out.host = std::string(host);
    out.port = parse_port(port, "listen address");
    return out;
}

bool is_loopback_host(std::string_view host) {
    std::string h = lower(host);
    if (h == "localhost") return true;
    in_addr v4{};
    if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
        // IPv4-mapped ::ffff:127.x.y.z
        if (IN6_IS_ADDR_V4MAPPED(&v6)) return v6.s6_addr[12] == 127;
    }
    return false;
}

std::string normalize_origin(std::string_view origin) {
    std::string o = std::string(origin);
    auto fail = [&](const std::string& why) { return ConfigError("origin '" + o + "' " + why); };
    auto scheme_end = o.find("://");
    if (scheme_end == std::string::npos) throw fail("must look like https://portal.example");
    std::string scheme = lower(o.substr(0, scheme_end));
    std::string rest = o.substr(scheme_end + 3);
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.empty()) throw fail("has no host");
    if (rest.find_first_of("/?#@ \t") != std::string::npos)
        throw fail("must be scheme://host[:port] without path, query or user info");
    std::string host = rest;
    std::string port;
    if (rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos) throw fail("has a bad IPv6 host");
        host = rest.substr(0, close + 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') throw fail("has a bad port");
            port = rest.substr(close + 2);
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    host = lower(host);
    if (host.empty()) throw fail("has no host");
    if (!port.empty()) parse_port(port, "origin");
    std::string bare = host.front() == '[' ? host.substr(1, host.size() - 2) : host;
    if (scheme == "https") {
        if (port == "443") port.clear();
    } else if (scheme == "http") {
        if (!is_loopback_host(bare)) throw fail("uses http: only loopback hosts may (use https)");
        if (port == "80") port.clear();
    } else {
        throw fail("must use https");
    }
    return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

}  // namespace pkibridge::server
