#include "http/portal/admin_json.hpp"

#include <charconv>
#include <map>

#include "http/json_response.hpp"
#include "http/record_json.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/admin/admin_errors.hpp"

namespace pkibridge::server {

using nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& message) {
    throw FieldError(ErrorKind::BadRequest, "invalid-field", field, message);
}

const std::map<std::string, std::string, std::less<>>& admin_messages_zh() {
    static const std::map<std::string, std::string, std::less<>> m = {
        {"out-of-scope", "此帳號不在您的管理範圍內。"},
        {"field-protected", "此欄位只能由帳號註冊管理者修改，請填寫異動申請單。"},
        {"field-required", "請填寫必填欄位。"},
        {"field-too-long", "欄位內容過長。"},
        {"invalid-characters", "欄位含有不允許的字元。"},
        {"invalid-field", "欄位格式不正確。"},
        {"unknown-field", "不認得的欄位。"},
        {"invalid-national-id", "身分證字號格式或檢查碼不正確。"},
        {"invalid-birth-date", "出生日期不正確（格式 YYYY-MM-DD）。"},
        {"invalid-email", "電子郵件地址格式不正確。"},
        {"invalid-phone", "電話只能包含數字、空白及 + - ( ) #。"},
        {"invalid-oid", "OID 格式不正確（例如 2.16.886.101.20003）。"},
        {"invalid-role", "角色不正確。"},
        {"invalid-status", "狀態只能是啟用或停用。"},
        {"unknown-identity-type", "身份類型不在系統類別對照表中。"},
        {"account-exists", "此身分證字號已有帳號。"},
        {"account-not-found", "找不到此帳號。"},
        {"birth-date-required", "請先設定出生日期（預設密碼由出生月日產生）。"},
        {"cannot-change-self", "不能停用、刪除自己的帳號或移除自己的最高管理者角色。"},
        {"nothing-to-change", "沒有要修改的欄位。"},
        {"unknown-job", "不認得的排程工作。"},
    };
    return m;
}

void write_admin_error(httplib::Response& res, const ServiceError& e, const std::string* field) {
    json err = {{"code", e.code()}, {"message", e.what()}};
    const auto& zh = admin_messages_zh();
    if (auto it = zh.find(e.code()); it != zh.end()) err["messageZh"] = it->second;
    if (field) err["field"] = *field;
    write_json(res, http_status_for(e.kind()), {{"error", std::move(err)}});
}

}  // namespace

std::string rfc3339_or_empty(std::optional<std::int64_t> t) {
    return t ? pkcs::format_rfc3339(*t) : std::string();
}

json admin_account_json(const AdminAccount& x, const std::vector<RegisteredCertificate>& certs) {
    const Account& a = x.account;
    json jc = json::array();
    for (const auto& c : certs) {
        json cert = certificate_json(c);
        cert["id"] = c.id;
        cert["disabledAt"] = optional_time_json(c.disabled_at);
        jc.push_back(std::move(cert));
    }
    json j = account_json(a);
    j.update({{"statusReason", optional_json(a.status_reason)},
              {"identityTypes", x.identity_types},
              {"lastLoginAt", optional_time_json(a.last_login_at)},
              {"lastPasswordLoginAt", optional_time_json(a.last_password_login_at)},
              {"lastCertificateLoginAt", optional_time_json(a.last_certificate_login_at)},
              {"lockedUntil", optional_time_json(a.locked_until)},
              {"failedPasswordAttempts", a.failed_password_attempts},
              {"initialPasswordDay", optional_json(a.initial_password_day)},
              {"mustChangePassword", a.password_must_change},
              {"activatedAt", optional_time_json(a.activated_at)},
              {"createdAt", pkcs::format_rfc3339(a.created_at)},
              {"updatedAt", pkcs::format_rfc3339(a.updated_at)},
              {"certificates", std::move(jc)}});
    return j;
}

json audit_entry_json(const AuditEntry& e) {
    return {{"id", e.id},
            {"at", pkcs::format_rfc3339(e.at)},
            {"actor", e.actor},
            {"action", e.action},
            {"accountId", e.account_id ? json(*e.account_id) : json(nullptr)},
            {"nationalId", optional_json(e.national_id)},
            {"before", e.before},
            {"after", e.after},
            {"ip", optional_json(e.ip)}};
}

std::int64_t required_id(const json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end())
        throw FieldError(ErrorKind::BadRequest, "field-required", field,
                         std::string(field) + " is required");
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0)
        bad(field, std::string(field) + " must be a positive integer");
    return it->get<std::int64_t>();
}

std::int64_t required_query_id(const httplib::Request& req, const char* field) {
    if (!req.has_param(field))
        throw FieldError(ErrorKind::BadRequest, "field-required", field,
                         std::string(field) + " is required");
    const std::string v = req.get_param_value(field);
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
    if (ec != std::errc() || p != v.data() + v.size() || id <= 0)
        bad(field, std::string(field) + " must be a positive integer");
    return id;
}

std::optional<std::size_t> query_size(const httplib::Request& req, const char* field) {
    if (!req.has_param(field)) return std::nullopt;
    const std::string v = req.get_param_value(field);
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n > 1000000)
        bad(field, std::string(field) + " must be a non-negative integer");
    return n;
}

std::optional<std::string> optional_string(const json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end()) return std::nullopt;
    if (!it->is_string()) bad(field, std::string(field) + " must be a string");
    return it->get<std::string>();
}

std::vector<std::string> string_list(const json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end())
        throw FieldError(ErrorKind::BadRequest, "field-required", field,
                         std::string(field) + " is required");
    if (!it->is_array() || it->size() > 200)
        bad(field, std::string(field) + " must be an array of strings");
    std::vector<std::string> out;
    for (const auto& v : *it) {
        if (!v.is_string()) bad(field, std::string(field) + " must be an array of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

void with_admin_errors(httplib::Response& res, const std::function<void()>& body) {
    try {
        body();
    } catch (const FieldError& e) {
        write_admin_error(res, e, &e.field());
    } catch (const ServiceError& e) {
        if (admin_messages_zh().count(e.code()))
            write_admin_error(res, e, nullptr);
        else
            throw;  // the server's own codes and messages
    }
}

}  // namespace pkibridge::server
