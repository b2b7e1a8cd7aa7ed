// The host configuration (JSON) and its validation. See docs/host-configuration.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/origin.hpp"
#include "core/host_error.hpp"
#include "core/log.hpp"

namespace pkibridge::host::config {

inline constexpr std::size_t kDefaultMaxMessageBytes = 1024 * 1024;
inline constexpr std::size_t kMinMessageBytes = 1024;
// Chrome never sends more than 64 MiB to a host; larger declared lengths are garbage.
inline constexpr std::size_t kMaxMessageBytesCap = 64 * 1024 * 1024;

struct LogConfig {
    bool enabled = false;
    log::Level level = log::Level::Info;
    std::filesystem::path file;  // empty: stderr
};

struct HostConfig {
    std::vector<OriginPattern> allowed_origins;
    std::chrono::milliseconds pin_timeout{std::chrono::seconds(120)};
    std::size_t max_message_bytes = kDefaultMaxMessageBytes;
    // How long the input may pause inside a frame before the partial frame is dropped.
    std::chrono::milliseconds frame_timeout{2000};
    LogConfig log;
    std::filesystem::path ca_certificates;  // PEM bundle for includeChain; empty: none
    bool user_origins_allowed = true;       // system file: may the user file add origins?
    // PKCS#11 modules to load (paths, or library names dlopen finds), before the defaults.
    std::vector<std::string> pkcs11_modules;
    // Also the HiCOS/OpenSC well-known paths and p11-kit's registry.
    bool pkcs11_default_modules = true;
    // Which driver lists a card reachable both as PIV and through a PKCS#11 module.
    enum class PreferredDriver { Builtin, Pkcs11 };
    PreferredDriver preferred_driver = PreferredDriver::Builtin;
    std::vector<std::string> sources;  // files the configuration came from
};

// The configuration is invalid; the message names the file and the offending setting.
class ConfigError : public HostError {
public:
    using HostError::HostError;
};

// Validates one configuration document (every key optional, unknown keys rejected).
// `source` names the file in error messages. Throws ConfigError.
HostConfig parse_config(const nlohmann::json& document, const std::string& source);

// Merges a system and a user document (both already validated): allowedOrigins are joined
// (the user's dropped when the system file sets "userOriginsAllowed": false); for every other
// key the user's value wins.
nlohmann::json merge_config_documents(const nlohmann::json& system, const nlohmann::json& user);

}  // namespace pkibridge::host::config
