// The messaging boundary: typed errors from every layer become protocol error objects
// {"code": "ERR_...", "message": ..., extra members}.
#pragma once

#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol/error_code.hpp"

namespace pkibridge::host::messaging {

struct ErrorReply {
    protocol::ErrorCode code;
    std::string message;
    nlohmann::json details = nlohmann::json::object();  // merged into the error object
};

// Classifies any exception (rethrows `error` internally). Never throws.
ErrorReply error_reply_for(std::exception_ptr error) noexcept;

// {"id": id, "error": {"code", "message", ...details}}
nlohmann::json error_message(const nlohmann::json& id, const ErrorReply& error);
// {"id": id, "result": result}
nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result);

}  // namespace pkibridge::host::messaging
