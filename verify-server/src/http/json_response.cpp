#include "http/json_response.hpp"

#include <map>
#include <string>

namespace pkibridge::server {

namespace {

// Traditional Chinese text for the errors a portal shows to people logging in. The portal
// may use its own wording; the code is what programs should switch on.
const std::map<std::string, std::string, std::less<>>& user_messages_zh() {
    static const std::map<std::string, std::string, std::less<>> m = {
        {"nonce-expired", "登入挑戰已逾時，請重新登入。"},
        {"nonce-replayed", "此登入要求已使用過，請重新登入。"},
        {"nonce-unknown", "登入挑戰無效，請重新登入。"},
        {"nonce-session-mismatch", "登入挑戰與瀏覽器工作階段不符，請重新登入。"},
        {"origin-mismatch", "簽章所屬的網站與本入口網不符。"},
        {"issued-at-skew", "電腦時間與伺服器相差過大，請校正時間後再試。"},
        {"expired", "憑證已過期。"},
        {"not-yet-valid", "憑證尚未生效。"},
        {"revoked", "憑證已被廢止。"},
        {"untrusted", "憑證不是由信任的憑證管理中心簽發。"},
        {"crl-stale", "無法取得最新的憑證廢止清冊，請稍後再試。"},
        {"crl-missing", "無法取得憑證廢止清冊，請稍後再試。"},
        {"bad-key-usage", "此憑證不可用於登入。"},
        {"certificate-not-registered", "此憑證尚未註冊於任何帳號。"},
        {"registration-required", "您的自然人憑證尚未註冊，請先以 ID 帳號登入並完成憑證註冊。"},
        {"account-disabled", "帳號已停用，請洽業務帳號註冊管理者。"},
        {"account-locked", "帳號已鎖定，請稍後再試或洽管理者。"},
        {"account-pending", "帳號尚未啟用，請先完成開帳作業。"},
        {"not-authenticated", "尚未登入或登入已逾時。"},
    };
    return m;
}

}  // namespace

int http_status_for(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::BadRequest:
            return 400;
        case ErrorKind::Unauthenticated:
            return 401;
        case ErrorKind::Forbidden:
            return 403;
        case ErrorKind::NotFound:
            return 404;
        case ErrorKind::Conflict:
            return 409;
        case ErrorKind::TooLarge:
            return 413;
        case ErrorKind::UnsupportedMediaType:
            return 415;
        case ErrorKind::TooManyRequests:
            return 429;
        case ErrorKind::Unavailable:
            return 503;
        case ErrorKind::Internal:
            return 500;
    }
    return 500;
}

void write_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    // Replace invalid UTF-8 rather than throw while reporting.
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json; charset=utf-8");
}

void write_error(httplib::Response& res, int status, std::string_view code,
                 std::string_view message) {
    nlohmann::json err = {{"code", code}, {"message", message}};
    const auto& zh = user_messages_zh();
    if (auto it = zh.find(code); it != zh.end()) err["messageZh"] = it->second;
    write_json(res, status, {{"error", std::move(err)}});
}

void write_error(httplib::Response& res, const ServiceError& error) {
    write_error(res, http_status_for(error.kind()), error.code(), error.what());
}

std::string_view default_error_code(int status) noexcept {
    switch (status) {
        case 400:
            return "bad-request";
        case 401:
            return "not-authenticated";
        case 403:
            return "forbidden";
        case 404:
            return "not-found";
        case 405:
            return "method-not-allowed";
        case 408:
            return "request-timeout";
        case 413:
            return "body-too-large";
        case 414:
            return "uri-too-long";
        case 415:
            return "unsupported-media-type";
        case 416:
            return "range-not-satisfiable";
        case 503:
            return "unavailable";
        default:
            return status >= 500 ? "internal-error" : "bad-request";
    }
}

}  // namespace pkibridge::server
