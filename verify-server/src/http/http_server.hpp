// The HTTP(S) listener on top of cpp-httplib: worker pool, limits and timeouts, security
// headers, JSON errors for everything httplib answers by itself (404/405/413/...), one
// access-log line and metrics per request, and handlers that can never crash the process.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "config/config.hpp"
#include "http/tls.hpp"
#include "services/metrics.hpp"

namespace pkibridge::server {

using HttpHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

class HttpServer {
public:
    // tls: the certificate to serve, or nullopt for plain HTTP (validated by the caller:
    // loopback only).
    HttpServer(const ServerConfig& config, Metrics& metrics, std::optional<TlsMaterial> tls);
    ~HttpServer();

    // Exact paths only (no patterns). Exceptions escaping a handler become JSON 500s
    // (or 400/503 for typed errors).
    void get(const std::string& path, HttpHandler handler);
    void post(const std::string& path, HttpHandler handler);
    // CORS preflight (OPTIONS) for every registered path.
    void preflight(HttpHandler handler);
    // Serves the files below `dir` at `mount` for GET/HEAD (httplib's mount point: looked up
    // before the exact routes, ".." cannot leave `dir`, a folder is never listed). MIME types
    // by file extension (without the dot) from `mime_types`. `on_file` runs on every file
    // response before it is sent: headers, or res.status >= 400 to refuse the file.
    bool mount_directory(const std::string& mount, const std::filesystem::path& dir,
                         const std::map<std::string, std::string>& mime_types, HttpHandler on_file);

    bool valid() const;
    // Binds the listening socket; returns the port (useful with port 0) or -1.
    int bind();
    void run();  // blocks until stop()
    void stop();
    bool tls() const noexcept { return tls_.has_value(); }

private:
    void add_route(const std::string& method, const std::string& path, HttpHandler handler);
    void install_hooks();

    const ServerConfig& config_;
    Metrics& metrics_;
    std::optional<TlsMaterial> tls_;
    std::unique_ptr<httplib::Server> server_;
    std::map<std::string, std::set<std::string>> routes_;  // path -> methods
    std::map<std::string, HttpHandler> post_handlers_;     // path -> handler
};

}  // namespace pkibridge::server
