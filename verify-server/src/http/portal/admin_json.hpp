// JSON presentation of the administration's records (docs/portal-api.md) and the request
// parsing shared by the admin route files.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "services/admin/audit_log.hpp"
#include "store/portal/admin_store.hpp"

namespace pkibridge::server {

struct ApiContext;

std::string rfc3339_or_empty(std::optional<std::int64_t> t);
nlohmann::json admin_account_json(const AdminAccount& account,
                                  const std::vector<RegisteredCertificate>& certificates);
nlohmann::json audit_entry_json(const AuditEntry& entry);

// Request fields; each throws FieldError(BadRequest) naming the field when malformed.
std::int64_t required_id(const nlohmann::json& body, const char* field = "id");
std::int64_t required_query_id(const httplib::Request& req, const char* field = "id");
std::optional<std::size_t> query_size(const httplib::Request& req, const char* field);
std::optional<std::string> optional_string(const nlohmann::json& body, const char* field);
std::vector<std::string> string_list(const nlohmann::json& body, const char* field);

// Runs a handler, writing FieldError (with "field") and the administration's own error
// codes with their Traditional Chinese messages; anything else goes to the server's
// error handling.
void with_admin_errors(httplib::Response& res, const std::function<void()>& body);

}  // namespace pkibridge::server
