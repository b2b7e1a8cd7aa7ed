#include "config/host_config.hpp"

#include <cmath>
#include <set>

namespace pkibridge::host::config {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& message) {
    throw ConfigError(source + ": " + message);
}

double number(const json& value, const std::string& source, const char* key, double min,
              double max) {
    if (!value.is_number()) fail(source, std::string("\"") + key + "\" must be a number");
    const double v = value.get<double>();
    if (!std::isfinite(v) || v < min || v > max)
        fail(source, std::string("\"") + key + "\" must be between " + std::to_string(min) +
                         " and " + std::to_string(max));
    return v;
}

LogConfig parse_log(const json& value, const std::string& source) {
    if (!value.is_object()) fail(source, "\"log\" must be an object");
    LogConfig log;
    log.enabled = true;  // a "log" object turns logging on unless it says otherwise
    for (const auto& [key, v] : value.items()) {
        if (key == "enabled") {
            if (!v.is_boolean()) fail(source, "\"log.enabled\" must be true or false");
            log.enabled = v.get<bool>();
        } else if (key == "level") {
            const auto level =
                v.is_string() ? log::parse_level(v.get<std::string>()) : std::nullopt;
            if (!level)
                fail(source, "\"log.level\" must be \"error\", \"warning\", \"info\" or \"debug\"");
            log.level = *level;
        } else if (key == "file") {
            if (!v.is_string()) fail(source, "\"log.file\" must be a path string");
            log.file = v.get<std::string>();
            if (!log.file.empty() && !log.file.is_absolute())
                fail(source, "\"log.file\" must be an absolute path");
        } else {
            fail(source, "unknown setting \"log." + key + "\"");
        }
    }
    return log;
}

}  // namespace

HostConfig parse_config(const json& document, const std::string& source) {
    if (!document.is_object()) fail(source, "the configuration must be a JSON object");
    HostConfig config;
    config.sources.push_back(source);
    for (const auto& [key, value] : document.items()) {
        if (key == "allowedOrigins") {
            if (!value.is_array()) fail(source, "\"allowedOrigins\" must be an array of origins");
            std::set<std::string> seen;
            for (const auto& entry : value) {
                if (!entry.is_string()) fail(source, "\"allowedOrigins\" entries must be strings");
                try {
                    OriginPattern p = parse_origin_pattern(entry.get<std::string>());
                    if (seen.insert(p.text).second) config.allowed_origins.push_back(std::move(p));
                } catch (const std::invalid_argument& e) {
                    fail(source, std::string("\"allowedOrigins\": ") + e.what());
                }
            }
        } else if (key == "pinTimeoutSeconds") {
            config.pin_timeout = std::chrono::milliseconds(
                std::llround(number(value, source, "pinTimeoutSeconds", 0.1, 3600) * 1000));
        } else if (key == "maxMessageBytes") {
            if (!value.is_number_integer()) fail(source, "\"maxMessageBytes\" must be an integer");
            config.max_message_bytes = static_cast<std::size_t>(
                number(value, source, "maxMessageBytes", kMinMessageBytes, kMaxMessageBytesCap));
        } else if (key == "frameTimeoutMs") {
            if (!value.is_number_integer()) fail(source, "\"frameTimeoutMs\" must be an integer");
            config.frame_timeout = std::chrono::milliseconds(
                static_cast<long long>(number(value, source, "frameTimeoutMs", 10, 600000)));
        } else if (key == "log") {
            config.log = parse_log(value, source);
        } else if (key == "caCertificates") {
            if (!value.is_string()) fail(source, "\"caCertificates\" must be a path string");
            config.ca_certificates = value.get<std::string>();
            if (!config.ca_certificates.empty() && !config.ca_certificates.is_absolute())
                fail(source, "\"caCertificates\" must be an absolute path");
        } else if (key == "userOriginsAllowed") {
            if (!value.is_boolean()) fail(source, "\"userOriginsAllowed\" must be true or false");
            config.user_origins_allowed = value.get<bool>();
        } else if (key == "pkcs11Modules") {
            if (!value.is_array())
                fail(source, "\"pkcs11Modules\" must be an array of module paths");
            for (const auto& entry : value) {
                if (!entry.is_string() || entry.get<std::string>().empty() ||
                    entry.get<std::string>().size() > 4096)
                    fail(source, "\"pkcs11Modules\" entries must be module paths (strings)");
                config.pkcs11_modules.push_back(entry.get<std::string>());
            }
        } else if (key == "pkcs11DefaultModules") {
            if (!value.is_boolean()) fail(source, "\"pkcs11DefaultModules\" must be true or false");
            config.pkcs11_default_modules = value.get<bool>();
        } else if (key == "preferredDriver") {
            const std::string name = value.is_string() ? value.get<std::string>() : "";
            if (name == "builtin")
                config.preferred_driver = HostConfig::PreferredDriver::Builtin;
            else if (name == "pkcs11")
                config.preferred_driver = HostConfig::PreferredDriver::Pkcs11;
            else
                fail(source, "\"preferredDriver\" must be \"builtin\" or \"pkcs11\"");
        } else if (key == "$comment" || key == "_comment") {
            // free text for administrators
        } else {
            fail(source, "unknown setting \"" + key + "\"");
        }
    }
    return config;
}

json merge_config_documents(const json& system, const json& user) {
    json merged = system;
    const bool user_origins = system.value("userOriginsAllowed", true);
    for (const auto& [key, value] : user.items()) {
        if (key == "userOriginsAllowed") continue;  // only the system file decides this
        if (key == "allowedOrigins") {
            if (!user_origins) continue;
            json joined = system.value("allowedOrigins", json::array());
            for (const auto& origin : value) joined.push_back(origin);
            merged["allowedOrigins"] = std::move(joined);
        } else {
            merged[key] = value;
        }
    }
    return merged;
}

}  // namespace pkibridge::host::config
