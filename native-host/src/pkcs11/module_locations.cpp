#include "pkcs11/module_locations.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#ifndef PKIBRIDGE_P11_MODULE_PATH
#define PKIBRIDGE_P11_MODULE_PATH "/usr/lib/x86_64-linux-gnu/pkcs11"
#endif

namespace pkibridge::host::pkcs11 {
namespace fs = std::filesystem;

std::string_view source_name(ModuleSource source) noexcept {
    switch (source) {
        case ModuleSource::Config:
            return "config";
        case ModuleSource::WellKnown:
            return "default";
        case ModuleSource::P11Kit:
            return "p11-kit";
    }
    return "?";
}

std::vector<std::string> well_known_module_paths() {
#if defined(_WIN32)
    return {"C:\\Windows\\System32\\HiCOSPKCS11.dll",
            "C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll"};
#elif defined(__APPLE__)
    return {"/usr/local/lib/libHicos_p11.dylib", "/Library/HiCOS/libHicos_p11.dylib",
            "/Library/OpenSC/lib/opensc-pkcs11.so"};
#else
    return {"/usr/local/lib/libHicos_p11.so",
            "/usr/lib/libHicos_p11.so",
            "/usr/lib/x86_64-linux-gnu/libHicos_p11.so",
            std::string(PKIBRIDGE_P11_MODULE_PATH) + "/opensc-pkcs11.so",
            "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib64/opensc-pkcs11.so",
            "/usr/lib/opensc-pkcs11.so"};
#endif
}

std::vector<fs::path> p11kit_registry_dirs() {
    std::vector<fs::path> dirs;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        dirs.push_back(fs::path(xdg) / "pkcs11" / "modules");
    else if (const char* home = std::getenv("HOME"); home && *home)
        dirs.push_back(fs::path(home) / ".config" / "pkcs11" / "modules");
    dirs.emplace_back("/etc/pkcs11/modules");
    dirs.emplace_back("/usr/share/p11-kit/modules");
    return dirs;
}

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// "a, b c" -> {"a", "b", "c"}
std::set<std::string> word_list(const std::string& value) {
    std::set<std::string> words;
    std::string word;
    std::istringstream in(value);
    while (in >> word) {
        word.erase(std::remove(word.begin(), word.end(), ','), word.end());
        if (!word.empty()) words.insert(word);
    }
    return words;
}

// The module of one registry file, or "" when it is not for us.
std::string registered_module(const fs::path& file) {
    std::ifstream in(file);
    std::map<std::string, std::string> options;
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        options[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }
    const std::string program = "pkibridge-host";
    if (options.count("enable-in") && !word_list(options["enable-in"]).count(program)) return {};
    if (options.count("disable-in") && word_list(options["disable-in"]).count(program)) return {};
    std::string module = options["module"];
    if (module.empty()) return {};
    // p11-kit's own modules would list trust anchors (no keys) or every module again.
    if (module.find("p11-kit-trust") != std::string::npos ||
        module.find("p11-kit-proxy") != std::string::npos ||
        module.find("p11-kit-client") != std::string::npos)
        return {};
    if (fs::path(module).is_relative())
        module = std::string(PKIBRIDGE_P11_MODULE_PATH) + "/" + module;
    return module;
}

}  // namespace

std::vector<std::string> p11kit_registered_modules(const std::vector<fs::path>& dirs) {
    std::vector<std::string> modules;
    std::set<std::string> seen_names;
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        std::vector<fs::path> files;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".module") files.push_back(it->path());
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files) {
            // A user file shadows the system file of the same name (p11-kit's rule).
            if (!seen_names.insert(file.filename().string()).second) continue;
            const std::string module = registered_module(file);
            if (!module.empty()) modules.push_back(module);
        }
    }
    return modules;
}

std::vector<ModuleSpec> module_plan(const std::vector<std::string>& configured, bool use_defaults) {
    std::vector<ModuleSpec> plan;
    std::set<std::string> seen;  // canonical paths
    auto add = [&](const std::string& path, ModuleSource source) {
        std::error_code ec;
        const fs::path canonical = fs::canonical(path, ec);
        if (!seen.insert(ec ? path : canonical.string()).second) return;
        plan.push_back({path, source});
    };
    for (const auto& path : configured) add(path, ModuleSource::Config);
    if (!use_defaults) return plan;
    for (const auto& path : well_known_module_paths()) {
        std::error_code ec;
        if (fs::exists(path, ec)) add(path, ModuleSource::WellKnown);
    }
    for (const auto& path : p11kit_registered_modules(p11kit_registry_dirs())) {
        std::error_code ec;
        if (fs::exists(path, ec)) add(path, ModuleSource::P11Kit);
    }
    return plan;
}

}  // namespace pkibridge::host::pkcs11
