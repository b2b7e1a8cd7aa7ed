// Requests of the native messaging protocol: parsing and validation of the envelope
// {"id", "command", "origin", "arguments"}. Pure functions (fuzzed).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/host_error.hpp"
#include "protocol/error_code.hpp"

namespace pkibridge::host::protocol {

inline constexpr std::size_t kMaxJsonDepth = 16;
inline constexpr std::size_t kMaxIdLength = 128;

// A request that cannot be served as sent; carries the protocol code and, when the
// request got that far, its id (null otherwise).
class RequestError : public HostError {
public:
    RequestError(ErrorCode code, const std::string& message, nlohmann::json id = nullptr)
        : HostError(message), code_(code), id_(std::move(id)) {}
    ErrorCode code() const noexcept { return code_; }
    const nlohmann::json& id() const noexcept { return id_; }

private:
    ErrorCode code_;
    nlohmann::json id_;
};

enum class Command { Status, ListCertificates, Sign, Authenticate, Cancel, Pin };
std::optional<Command> parse_command_name(std::string_view name);
std::string_view command_name(Command command) noexcept;

// Card operations run one at a time on the worker; the others are answered at once.
bool is_card_operation(Command command) noexcept;

struct Request {
    nlohmann::json id;  // string or integer, echoed in the reply
    Command command;
    std::optional<std::string> origin;  // as sent by the extension (not normalised)
    nlohmann::json arguments = nlohmann::json::object();
};

// False when JSON text nests arrays/objects deeper than max_depth (strings are skipped
// correctly). Checked before parsing so hostile nesting cannot exhaust the stack.
bool json_depth_within(std::string_view text, std::size_t max_depth);

// Throws RequestError: BadRequest (invalid UTF-8 or JSON, wrong types, unknown keys) or
// UnknownCommand.
Request parse_request(std::string_view body);

}  // namespace pkibridge::host::protocol
