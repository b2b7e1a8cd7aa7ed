// JSON bodies and the error shape {"error": {"code", "message"}} used by every endpoint;
// the one place where error kinds become HTTP status codes.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/errors.hpp"

namespace pkibridge::server {

int http_status_for(ErrorKind kind) noexcept;

void write_json(httplib::Response& res, int status, const nlohmann::json& body);
void write_error(httplib::Response& res, int status, std::string_view code,
                 std::string_view message);
void write_error(httplib::Response& res, const ServiceError& error);

// The default error code for a status httplib produced by itself (404, 413, 400, ...).
std::string_view default_error_code(int status) noexcept;

}  // namespace pkibridge::server
