#include "protocol/request.hpp"

namespace pkibridge::host::protocol {

using nlohmann::json;

std::optional<Command> parse_command_name(std::string_view name) {
    if (name == "status") return Command::Status;
    if (name == "list-certificates") return Command::ListCertificates;
    if (name == "sign") return Command::Sign;
    if (name == "authenticate") return Command::Authenticate;
    if (name == "cancel") return Command::Cancel;
    if (name == "pin") return Command::Pin;
    return std::nullopt;
}

std::string_view command_name(Command command) noexcept {
    switch (command) {
        case Command::Status:
            return "status";
        case Command::ListCertificates:
            return "list-certificates";
        case Command::Sign:
            return "sign";
        case Command::Authenticate:
            return "authenticate";
        case Command::Cancel:
            return "cancel";
        case Command::Pin:
            return "pin";
    }
    return "?";
}

bool is_card_operation(Command command) noexcept {
    return command == Command::ListCertificates || command == Command::Sign ||
           command == Command::Authenticate;
}

bool json_depth_within(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

namespace {

// Request text quoted in error messages is cut short: replies must stay small.
std::string excerpt(const std::string& s) {
    return s.size() <= 64 ? s : s.substr(0, 64) + "...";
}

bool valid_id(const json& id) {
    if (id.is_number_integer()) return true;
    if (id.is_string()) {
        const auto& s = id.get_ref<const std::string&>();
        return !s.empty() && s.size() <= kMaxIdLength;
    }
    return false;
}

}  // namespace

Request parse_request(std::string_view body) {
    if (body.empty()) throw RequestError(ErrorCode::BadRequest, "empty message");
    if (!json_depth_within(body, kMaxJsonDepth))
        throw RequestError(ErrorCode::BadRequest, "message nests JSON deeper than " +
                                                      std::to_string(kMaxJsonDepth) + " levels");
    json doc;
    try {
        doc = json::parse(body);
    } catch (const json::parse_error& e) {
        // nlohmann reports invalid UTF-8 as a parse error too.
        throw RequestError(ErrorCode::BadRequest,
                           std::string("message is not valid UTF-8 JSON: ") + e.what());
    } catch (const json::out_of_range& e) {
        // A number literal too large for a double (e.g. 1E999999) is out_of_range, not a
        // parse error; found by fuzz_messaging.
        throw RequestError(ErrorCode::BadRequest,
                           std::string("message has a number out of range: ") + e.what());
    }
    if (!doc.is_object())
        throw RequestError(ErrorCode::BadRequest, "message must be a JSON object");

    const auto id_it = doc.find("id");
    if (id_it == doc.end()) throw RequestError(ErrorCode::BadRequest, "\"id\" is missing");
    if (!valid_id(*id_it))
        throw RequestError(ErrorCode::BadRequest, "\"id\" must be an integer or a string of 1 to " +
                                                      std::to_string(kMaxIdLength) + " characters");
    Request request{*id_it, Command::Status, std::nullopt, json::object()};

    for (auto&& [key, value] : doc.items()) {
        if (key == "id" || key == "command") continue;
        if (key == "origin") {
            if (!value.is_string())
                throw RequestError(ErrorCode::BadRequest, "\"origin\" must be a string",
                                   request.id);
            request.origin = value.get<std::string>();
        } else if (key == "arguments") {
            if (!value.is_object())
                throw RequestError(ErrorCode::BadRequest, "\"arguments\" must be an object",
                                   request.id);
            request.arguments = std::move(value);  // moved, not copied: it may hold a PIN
        } else {
            throw RequestError(ErrorCode::BadRequest, "unknown member \"" + excerpt(key) + "\"",
                               request.id);
        }
    }

    const auto cmd_it = doc.find("command");
    if (cmd_it == doc.end() || !cmd_it->is_string())
        throw RequestError(ErrorCode::BadRequest, "\"command\" must be a string", request.id);
    const auto command = parse_command_name(cmd_it->get_ref<const std::string&>());
    if (!command)
        throw RequestError(ErrorCode::UnknownCommand,
                           "unknown command \"" + excerpt(cmd_it->get<std::string>()) + "\"",
                           request.id);
    request.command = *command;
    return request;
}

}  // namespace pkibridge::host::protocol
