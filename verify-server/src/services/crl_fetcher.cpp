#include "services/crl_fetcher.hpp"

#include <httplib.h>

namespace pkibridge::server {

namespace {

struct UrlParts {
    std::string scheme_host_port;  // "http://host:port"
    std::string path;              // "/x.crl?y"
};

UrlParts split_url(const std::string& url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) throw FetchError("not a URL: " + url);
    std::string scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https")
        throw FetchError("unsupported URL scheme '" + scheme + "' (http and https only)");
    auto path_start = url.find('/', scheme_end + 3);
    UrlParts parts;
    parts.scheme_host_port = url.substr(0, path_start);
    parts.path = path_start == std::string::npos ? "/" : url.substr(path_start);
    if (parts.scheme_host_port.size() <= scheme_end + 3)
        throw FetchError("URL has no host: " + url);
    if (parts.scheme_host_port.find('@') != std::string::npos)
        throw FetchError("URLs with user info are not fetched: " + url);
    return parts;
}

}  // namespace

pkcs::Bytes fetch_url(const std::string& url, const FetchLimits& limits) {
    UrlParts parts = split_url(url);
    httplib::Client client(parts.scheme_host_port);
    if (!client.is_valid()) throw FetchError("cannot create a client for " + url);
    const auto secs = static_cast<time_t>(limits.timeout.count());
    client.set_connection_timeout(secs, 0);
    client.set_read_timeout(secs, 0);
    client.set_write_timeout(secs, 0);
    client.set_follow_location(false);
    client.set_keep_alive(false);
    client.enable_server_certificate_verification(true);

    // The read timeout applies per read; the deadline bounds a slow trickle as a whole.
    const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
    std::string body;
    bool too_large = false;
    bool too_slow = false;
    int status = 0;
    auto result = client.Get(
        parts.path.c_str(), httplib::Headers{{"Accept", "application/pkix-crl, */*"}},
        [&](const httplib::Response& response) {
            status = response.status;
            if (response.status != 200) return false;
            if (response.has_header("Content-Length")) {
                auto length =
                    std::strtoull(response.get_header_value("Content-Length").c_str(), nullptr, 10);
                if (length > limits.max_bytes) {
                    too_large = true;
                    return false;
                }
                body.reserve(static_cast<std::size_t>(length));
            }
            return true;
        },
        [&](const char* data, std::size_t length) {
            if (body.size() + length > limits.max_bytes) {
                too_large = true;
                return false;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                too_slow = true;
                return false;
            }
            body.append(data, length);
            return true;
        });
    if (too_large)
        throw FetchError("response larger than the limit of " + std::to_string(limits.max_bytes) +
                         " bytes");
    if (too_slow) throw FetchError("download took longer than the fetch timeout");
    if (status != 0 && status != 200) throw FetchError("HTTP status " + std::to_string(status));
    if (!result) throw FetchError("request failed: " + httplib::to_string(result.error()));
    if (result->status != 200) throw FetchError("HTTP status " + std::to_string(result->status));
    return pkcs::Bytes(body.begin(), body.end());
}

}  // namespace pkibridge::server
