// Web origins (scheme://host[:port]) and the allow-list patterns of the host configuration.
// Pure functions: parsing normalises (lowercase scheme and host, default port dropped) and
// rejects anything that is not a bare origin (userinfo, path, query, fragment).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkibridge::host::config {

struct Origin {
    std::string scheme;  // lowercase
    std::string host;    // lowercase; IPv6 literals keep their brackets
    int port = 0;        // explicit or the scheme's default

    // Normal form: "https://portal.example" or "https://portal.example:8443".
    std::string serialize() const;
};

// nullopt when `text` is not a bare origin. A single trailing '/' is tolerated.
std::optional<Origin> parse_origin(std::string_view text);

// An allow-list entry: "https://host[:port]" or "https://*.domain[:port]" (any subdomain of
// domain at any depth, not domain itself). https only.
struct OriginPattern {
    std::string text;  // normal form, for messages
    bool any_subdomain = false;
    std::string host;  // the exact host, or the domain after "*."
    int port = 443;
};

// Throws std::invalid_argument with a message that says what is wrong.
OriginPattern parse_origin_pattern(std::string_view text);

bool origin_matches(const OriginPattern& pattern, const Origin& origin);

// True when `origin` parses, uses https and matches one of `patterns`.
bool origin_allowed(const std::vector<OriginPattern>& patterns, std::string_view origin);

}  // namespace pkibridge::host::config
