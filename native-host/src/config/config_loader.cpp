#include "config/config_loader.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pkibridge::host::config {

ConfigLocations locations_from_environment() {
    ConfigLocations loc;
    if (const char* file = std::getenv("PKIBRIDGE_HOST_CONFIG"); file && *file)
        loc.override_file = std::filesystem::path(file);
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg && xdg[0] == '/')
        loc.user_file = std::filesystem::path(xdg) / "pkibridge" / "host.json";
    else if (const char* home = std::getenv("HOME"); home && *home)
        loc.user_file = std::filesystem::path(home) / ".config" / "pkibridge" / "host.json";
    return loc;
}

nlohmann::json read_config_document(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double.
        throw ConfigError(path.string() + ": not valid JSON (" + e.what() + ")");
    }
}

HostConfig load_config(const ConfigLocations& loc) {
    if (loc.override_file) {
        if (!std::filesystem::exists(*loc.override_file))
            throw ConfigError(loc.override_file->string() +
                              ": file named by PKIBRIDGE_HOST_CONFIG does not exist");
        return parse_config(read_config_document(*loc.override_file), loc.override_file->string());
    }
    std::error_code ec;
    nlohmann::json merged = nlohmann::json::object();
    std::vector<std::string> sources;
    if (std::filesystem::exists(loc.system_file, ec)) {
        merged = read_config_document(loc.system_file);
        parse_config(merged, loc.system_file.string());  // validate on its own, for the message
        sources.push_back(loc.system_file.string());
    }
    if (loc.user_file && std::filesystem::exists(*loc.user_file, ec)) {
        const nlohmann::json user = read_config_document(*loc.user_file);
        parse_config(user, loc.user_file->string());
        merged = merge_config_documents(merged, user);
        sources.push_back(loc.user_file->string());
    }
    HostConfig config = parse_config(merged, sources.empty() ? "defaults" : sources.back());
    config.sources = sources;
    return config;
}

}  // namespace pkibridge::host::config
