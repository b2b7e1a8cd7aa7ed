// The portal's pages (verify-server/web/): static files under "/", "/" is the login page.
// Only known file types are served, never a folder listing or a hidden file, and every page
// carries a strict content security policy (the pages have no inline script or style).
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "http/api_routes.hpp"

namespace pkibridge::server {

namespace {

namespace fs = std::filesystem;

// 'self' only; data: images for the CAPTCHA (PNG) and the authenticator QR code (SVG).
constexpr const char* kPageCsp =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

const std::map<std::string, std::string>& mime_types() {
    static const std::map<std::string, std::string> types = {
        {"html", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"ico", "image/x-icon"},
        {"txt", "text/plain; charset=utf-8"},
    };
    return types;
}

std::optional<fs::path> executable_dir() {
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) return std::nullopt;
    return fs::path(std::string(buf.data(), static_cast<std::size_t>(n))).parent_path();
}

bool is_web_root(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "login.html", ec);
}

// portal.webRoot, else the pages next to the binary (installed, or assembled in the build
// tree), else the build tree's assembled copy (a binary run from elsewhere).
std::optional<fs::path> find_web_root(const PortalConfig& portal) {
    if (!portal.web_root.empty()) {
        if (is_web_root(portal.web_root)) return portal.web_root;
        log_error("portal.webRoot " + portal.web_root.string() +
                  " holds no login.html: the portal pages are not served");
        return std::nullopt;
    }
    std::vector<fs::path> candidates;
    if (auto exe = executable_dir()) candidates.push_back(*exe / ".." / "share/pkibridge/web");
#ifdef PKIBRIDGE_BUILD_WEB_ROOT
    candidates.emplace_back(PKIBRIDGE_BUILD_WEB_ROOT);
#endif
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!is_web_root(c)) continue;
        const fs::path canonical = fs::weakly_canonical(c, ec);
        return ec ? c : canonical;
    }
    return std::nullopt;
}

std::string extension_of(const std::string& path) {
    const auto slash = path.rfind('/');
    const auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
    return path.substr(dot + 1);
}

// Hidden files and folders (".git", ".env"), control characters and backslashes are never
// served; httplib already refuses ".." above the root.
bool servable(const std::string& path) {
    for (std::size_t i = 0; i < path.size(); ++i) {
        const auto c = static_cast<unsigned char>(path[i]);
        if (c < 0x20 || c == 0x7f || c == '\\') return false;
        if (c == '.' && i > 0 && path[i - 1] == '/') return false;
    }
    return mime_types().count(extension_of(path)) > 0;
}

void set_page_headers(httplib::Response& res) {
    // Replace the API's "default-src 'none'" (a second CSP header would only narrow it).
    res.headers.erase("Content-Security-Policy");
    res.set_header("Content-Security-Policy", kPageCsp);
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

void refuse(httplib::Response& res) {
    res.status = 404;
    res.body.clear();
    res.headers.erase("Content-Type");  // the error handler writes the JSON error
}

}  // namespace

void register_portal_pages(HttpServer& server, ApiContext& ctx) {
    const auto root = find_web_root(ctx.config.portal);
    if (!root) {
        log_warn("no portal web root found (portal.webRoot): the portal pages are not served");
        return;
    }
    const bool mounted = server.mount_directory(
        "/", *root, mime_types(), [](const httplib::Request& req, httplib::Response& res) {
            if (!servable(req.path)) return refuse(res);
            set_page_headers(res);
        });
    if (!mounted) {
        log_error("cannot serve the portal pages from " + root->string());
        return;
    }
    // "/" (and "/index.html") is the login page; read per request like the other files.
    const fs::path login = *root / "login.html";
    auto serve_login = [login](const httplib::Request&, httplib::Response& res) {
        std::ifstream in(login, std::ios::binary);
        if (!in) return refuse(res);
        std::ostringstream body;
        body << in.rdbuf();
        res.set_content(body.str(), "text/html; charset=utf-8");
        set_page_headers(res);
    };
    server.get("/", serve_login);
    server.get("/index.html", serve_login);
    log_info("portal pages from " + root->string());
}

}  // namespace pkibridge::server
