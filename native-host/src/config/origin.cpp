#include "config/origin.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace pkibridge::host::config {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

int default_port(std::string_view scheme) {
    if (scheme == "https" || scheme == "wss") return 443;
    if (scheme == "http" || scheme == "ws") return 80;
    return 0;
}

bool valid_scheme(std::string_view s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

// DNS-style host: labels of [a-z0-9-] (already lowercased), no empty label, no label that
// starts or ends with '-'. Also accepts IPv4 dotted quads (they fit the same shape).
bool valid_dns_host(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = host.find('.', start);
        const std::string_view label = host.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!(std::islower(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
                return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

bool valid_ipv6_literal(std::string_view host) {
    if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
    const std::string_view inner = host.substr(1, host.size() - 2);
    return std::all_of(inner.begin(), inner.end(),
                       [](char c) {
                           return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' ||
                                  c == '.';
                       }) &&
           inner.find(':') != std::string_view::npos;
}

struct Parts {
    std::string scheme, host;
    std::optional<int> port;
};

std::optional<Parts> split(std::string_view text) {
    const std::size_t sep = text.find("://");
    if (sep == std::string_view::npos) return std::nullopt;
    Parts parts;
    parts.scheme = lower(text.substr(0, sep));
    if (!valid_scheme(parts.scheme)) return std::nullopt;
    std::string_view rest = text.substr(sep + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find_first_of("/?#@\\ \t\r\n") != std::string_view::npos) return std::nullopt;
    // Host, then an optional ":port". An IPv6 literal keeps its brackets.
    std::string_view host = rest, port_text;
    bool has_port = false;
    if (!rest.empty() && rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = rest.substr(0, close + 1);
        const std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port_text = after.substr(1);
            has_port = true;
        }
    } else if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port_text = rest.substr(colon + 1);
        has_port = true;
    }
    if (has_port) {
        if (port_text.empty() || port_text.size() > 5 ||
            !std::all_of(port_text.begin(), port_text.end(),
                         [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        const int port = std::stoi(std::string(port_text));
        if (port < 1 || port > 65535) return std::nullopt;
        parts.port = port;
    }
    rest = host;
    parts.host = lower(rest);
    if (parts.host.empty()) return std::nullopt;
    return parts;
}

}  // namespace

std::string Origin::serialize() const {
    std::string out = scheme + "://" + host;
    if (port != default_port(scheme)) out += ":" + std::to_string(port);
    return out;
}

std::optional<Origin> parse_origin(std::string_view text) {
    auto parts = split(text);
    if (!parts) return std::nullopt;
    if (!valid_dns_host(parts->host) && !valid_ipv6_literal(parts->host)) return std::nullopt;
    Origin origin{parts->scheme, parts->host, parts->port.value_or(default_port(parts->scheme))};
    if (origin.port == 0) return std::nullopt;  // unknown scheme without a port
    return origin;
}

OriginPattern parse_origin_pattern(std::string_view text) {
    const std::string quoted = "\"" + std::string(text) + "\"";
    auto parts = split(text);
    if (!parts) throw std::invalid_argument(quoted + " is not an origin (https://host[:port])");
    if (parts->scheme != "https")
        throw std::invalid_argument(quoted +
                                    " does not use https; only https origins can be allowed");
    OriginPattern pattern;
    pattern.port = parts->port.value_or(443);
    std::string host = parts->host;
    if (host.rfind("*.", 0) == 0) {
        pattern.any_subdomain = true;
        host = host.substr(2);
        if (host.find('.') == std::string::npos)
            throw std::invalid_argument(quoted + " is too broad: \"*.\" needs a domain with a dot");
    }
    if (host.find('*') != std::string::npos)
        throw std::invalid_argument(quoted + ": a wildcard is only allowed as a leading \"*.\"");
    if (!valid_dns_host(host) && !(valid_ipv6_literal(host) && !pattern.any_subdomain))
        throw std::invalid_argument(quoted + " has an invalid host name");
    pattern.host = host;
    pattern.text = "https://" + std::string(pattern.any_subdomain ? "*." : "") + host +
                   (pattern.port == 443 ? "" : ":" + std::to_string(pattern.port));
    return pattern;
}

bool origin_matches(const OriginPattern& pattern, const Origin& origin) {
    if (origin.scheme != "https" || origin.port != pattern.port) return false;
    if (!pattern.any_subdomain) return origin.host == pattern.host;
    const std::string suffix = "." + pattern.host;
    return origin.host.size() > suffix.size() &&
           origin.host.compare(origin.host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool origin_allowed(const std::vector<OriginPattern>& patterns, std::string_view text) {
    const auto origin = parse_origin(text);
    if (!origin) return false;
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const OriginPattern& p) { return origin_matches(p, *origin); });
}

}  // namespace pkibridge::host::config
