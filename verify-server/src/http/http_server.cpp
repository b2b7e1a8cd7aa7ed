#include "http/http_server.hpp"

#include <chrono>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "http/json_response.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "store/store_error.hpp"

namespace pkibridge::server {

namespace {

// Start time of the request this worker thread is serving (set before routing).
thread_local std::chrono::steady_clock::time_point t_request_start;
thread_local bool t_request_started = false;

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string status_text(int status) {
    switch (status) {
        case 400:
            return "the request could not be parsed";
        case 404:
            return "no such endpoint";
        case 405:
            return "method not allowed on this endpoint";
        case 408:
            return "request timed out";
        case 414:
            return "request URI too long";
        default:
            return "HTTP status " + std::to_string(status);
    }
}

// Runs a handler and turns anything it throws into a JSON error: nothing crashes the
// server and nothing internal leaks into a response.
void guarded(const HttpHandler& handler, const httplib::Request& req, httplib::Response& res) {
    try {
        handler(req, res);
    } catch (const ServiceError& e) {
        write_error(res, e);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Busy) {
            log_warn(std::string("store busy: ") + e.what());
            write_error(res, 503, "database-busy", "the database is busy; try again");
        } else {
            log_error(std::string("store error on ") + req.path + ": " + e.what());
            write_error(res, 500, "internal-error", "internal error");
        }
    } catch (const pkcs::PkcsError& e) {
        if (e.code() == pkcs::ErrorCode::Malformed ||
            e.code() == pkcs::ErrorCode::InvalidArgument) {
            write_error(res, 400, "malformed", e.what());
        } else {
            log_error(std::string("PKCS error on ") + req.path + ": " + e.what());
            write_error(res, 500, "internal-error", "internal error");
        }
    } catch (const std::bad_alloc&) {
        write_error(res, 503, "unavailable", "out of memory");
    } catch (const std::exception& e) {
        log_error(std::string("unexpected error on ") + req.path + ": " + e.what());
        write_error(res, 500, "internal-error", "internal error");
    } catch (...) {
        log_error("unexpected non-standard exception on " + req.path);
        write_error(res, 500, "internal-error", "internal error");
    }
}

}  // namespace

HttpServer::HttpServer(const ServerConfig& config, Metrics& metrics, std::optional<TlsMaterial> tls)
    : config_(config), metrics_(metrics), tls_(std::move(tls)) {
    if (tls_) {
        const TlsMaterial material = *tls_;
        server_ = std::make_unique<httplib::SSLServer>(
            [material](SSL_CTX& ctx) { return configure_tls_context(ctx, material); });
    } else {
        server_ = std::make_unique<httplib::Server>();
    }
    const std::size_t threads = static_cast<std::size_t>(effective_thread_count(config.http));
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_->set_payload_max_length(config.http.max_body_bytes);
    server_->set_read_timeout(static_cast<time_t>(config.http.read_timeout_seconds), 0);
    server_->set_write_timeout(static_cast<time_t>(config.http.write_timeout_seconds), 0);
    server_->set_keep_alive_timeout(static_cast<time_t>(config.http.keep_alive_timeout_seconds));
    server_->set_keep_alive_max_count(config.http.keep_alive_max_requests);
    server_->set_tcp_nodelay(true);

    httplib::Headers headers = {
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
        {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-store"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    };
    if (tls_) headers.emplace("Strict-Transport-Security", "max-age=31536000");
    server_->set_default_headers(headers);
    install_hooks();
}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::install_hooks() {
    server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        t_request_start = std::chrono::steady_clock::now();
        t_request_started = true;
        // A POST with neither Content-Length nor Transfer-Encoding has an empty body
        // (RFC 9112 6.3), but httplib 0.11 would wait for the peer to close. Serve it here.
        if (req.method == "POST" && !req.has_header("Content-Length") &&
            !req.has_header("Transfer-Encoding")) {
            auto it = post_handlers_.find(req.path);
            if (it != post_handlers_.end()) {
                guarded(it->second, req, res);
            } else {
                res.status = routes_.count(req.path) ? 405 : 404;  // error handler adds the body
            }
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // Everything httplib answers itself (no route, body too large, bad request line) and
    // any handler error without a body gets the JSON error shape.
    server_->set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
            if (res.status == 404) {
                auto it = routes_.find(req.path);
                if (it != routes_.end()) {
                    res.status = 405;
                    res.set_header("Allow", join(it->second));
                }
            }
            if (res.body.empty()) {
                std::string message =
                    res.status == 413 ? "request body larger than " +
                                            std::to_string(config_.http.max_body_bytes) + " bytes"
                                      : status_text(res.status);
                write_error(res, res.status, default_error_code(res.status), message);
            }
            return httplib::Server::HandlerResponse::Handled;
        }));

    server_->set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            write_error(res, 500, "internal-error", "internal error");
        });

    server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        double seconds = 0;
        if (t_request_started) {
            seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request_start)
                    .count();
            t_request_started = false;
        }
        const std::string route = routes_.count(req.path) ? req.path : "other";
        static const std::set<std::string> kMethods = {"GET", "POST",   "OPTIONS", "HEAD",
                                                       "PUT", "DELETE", "PATCH"};
        const std::string method = kMethods.count(req.method) ? req.method : "other";
        const std::string status = std::to_string(res.status);
        metrics_.increment("pkibridge_http_requests_total",
                           {{"route", route}, {"method", method}, {"status", status}});
        metrics_.observe("pkibridge_http_request_duration_seconds", {{"route", route}}, seconds);
        if (config_.access_log && log_enabled(LogLevel::Info)) {
            char ms[32];
            std::snprintf(ms, sizeof ms, "%.1f", seconds * 1000);
            log_info("http " + req.remote_addr + " " + method + " " + route + " " + status + " " +
                     ms + "ms");
        }
    });
}

void HttpServer::add_route(const std::string& method, const std::string& path,
                           HttpHandler handler) {
    routes_[path].insert(method);
    // Paths are fixed strings; escape them for httplib's regex matcher.
    std::string pattern;
    for (char c : path) {
        if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) pattern += '\\';
        pattern += c;
    }
    if (method == "POST") post_handlers_[path] = handler;
    auto wrapped = [h = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        guarded(h, req, res);
    };
    if (method == "GET")
        server_->Get(pattern, wrapped);
    else
        server_->Post(pattern, wrapped);
}

void HttpServer::get(const std::string& path, HttpHandler handler) {
    add_route("GET", path, std::move(handler));
}

void HttpServer::post(const std::string& path, HttpHandler handler) {
    add_route("POST", path, std::move(handler));
}

void HttpServer::preflight(HttpHandler handler) {
    server_->Options(
        ".*", [this, h = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
            if (!routes_.count(req.path)) {
                res.status = 404;  // the error handler writes the body
                return;
            }
            res.set_header("Allow", "OPTIONS, " + join(routes_.at(req.path)));
            guarded(h, req, res);
        });
}

bool HttpServer::mount_directory(const std::string& mount, const std::filesystem::path& dir,
                                 const std::map<std::string, std::string>& mime_types,
                                 HttpHandler on_file) {
    for (const auto& [ext, type] : mime_types)
        server_->set_file_extension_and_mimetype_mapping(ext, type);
    server_->set_file_request_handler(
        [h = std::move(on_file)](const httplib::Request& req, httplib::Response& res) {
            guarded(h, req, res);
        });
    return server_->set_mount_point(mount, dir.string());
}

bool HttpServer::valid() const {
    return server_ && server_->is_valid();
}

int HttpServer::bind() {
    if (!valid()) return -1;
    if (config_.listen.port == 0) return server_->bind_to_any_port(config_.listen.host);
    return server_->bind_to_port(config_.listen.host, config_.listen.port) ? config_.listen.port
                                                                           : -1;
}

void HttpServer::run() {
    server_->listen_after_bind();
}

void HttpServer::stop() {
    if (server_ && server_->is_running()) server_->stop();
}

}  // namespace pkibridge::server
