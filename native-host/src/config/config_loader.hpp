// Where the host configuration comes from: PKIBRIDGE_HOST_CONFIG (one file that replaces
// both), else /etc/pkibridge/host.json merged with $XDG_CONFIG_HOME/pkibridge/host.json
// (or ~/.config/pkibridge/host.json). Missing files are fine; a missing file named by
// PKIBRIDGE_HOST_CONFIG is an error.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/host_config.hpp"

namespace pkibridge::host::config {

struct ConfigLocations {
    std::optional<std::filesystem::path> override_file;  // PKIBRIDGE_HOST_CONFIG
    std::filesystem::path system_file = "/etc/pkibridge/host.json";
    std::optional<std::filesystem::path> user_file;
};

// Reads the locations from the environment (PKIBRIDGE_HOST_CONFIG, XDG_CONFIG_HOME, HOME).
ConfigLocations locations_from_environment();

// Loads, validates and merges. Throws ConfigError naming the file and the problem.
HostConfig load_config(const ConfigLocations& locations);

// Reads and parses one JSON file (comments not allowed). Throws ConfigError.
nlohmann::json read_config_document(const std::filesystem::path& path);

}  // namespace pkibridge::host::config
