#include "services/admin/catalogue.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.hpp"

namespace pkibridge::server {

namespace {

std::string required_string(const nlohmann::json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string() || it->get<std::string>().empty())
        throw ConfigError(where + ": \"" + key + "\" must be a non-empty string");
    return it->get<std::string>();
}

std::string optional_string(const nlohmann::json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool plain_identifier(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::filesystem::path executable_dir() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : self.parent_path();
}

}  // namespace

Catalogue Catalogue::parse(std::string_view text, const std::string& what) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw ConfigError(what + ": not a JSON object");
    auto systems = doc.find("systems");
    if (systems == doc.end() || !systems->is_array() || systems->empty())
        throw ConfigError(what + ": \"systems\" must be a non-empty array");
    Catalogue c;
    std::set<std::string> types, codes;
    for (std::size_t i = 0; i < systems->size(); ++i) {
        const auto& js = (*systems)[i];
        const std::string where = what + ": systems[" + std::to_string(i) + "]";
        if (!js.is_object()) throw ConfigError(where + " is not an object");
        CatalogueSystem s;
        s.system_code = required_string(js, "systemCode", where);
        s.category = required_string(js, "category", where);
        s.category_en = optional_string(js, "categoryEn");
        s.system_id = required_string(js, "systemId", where);
        if (!codes.insert(s.system_code).second)
            throw ConfigError(where + ": duplicate system code " + s.system_code);
        auto subs = js.find("subsystems");
        if (subs == js.end() || !subs->is_array() || subs->empty())
            throw ConfigError(where + ": \"subsystems\" must be a non-empty array");
        for (std::size_t j = 0; j < subs->size(); ++j) {
            const auto& jb = (*subs)[j];
            const std::string w2 = where + ".subsystems[" + std::to_string(j) + "]";
            if (!jb.is_object()) throw ConfigError(w2 + " is not an object");
            CatalogueSubsystem sub{required_string(jb, "name", w2), optional_string(jb, "nameEn"),
                                   required_string(jb, "identityType", w2)};
            if (!plain_identifier(sub.identity_type))
                throw ConfigError(w2 + ": identity type '" + sub.identity_type +
                                  "' must be 1-64 characters of a-z, 0-9, _");
            if (!types.insert(sub.identity_type).second)
                throw ConfigError(w2 + ": duplicate identity type " + sub.identity_type);
            s.subsystems.push_back(std::move(sub));
        }
        c.systems_.push_back(std::move(s));
    }
    return c;
}

Catalogue Catalogue::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError("cannot read the portal catalogue " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string());
}

bool Catalogue::has_identity_type(std::string_view type) const {
    for (const auto& s : systems_)
        for (const auto& sub : s.subsystems)
            if (sub.identity_type == type) return true;
    return false;
}

nlohmann::json Catalogue::entries_json(const std::vector<std::string>* held) const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : systems_) {
        for (const auto& sub : s.subsystems) {
            if (held && std::find(held->begin(), held->end(), sub.identity_type) == held->end())
                continue;
            out.push_back({{"systemCode", s.system_code},
                           {"category", s.category},
                           {"categoryEn", s.category_en},
                           {"systemId", s.system_id},
                           {"subsystemName", sub.name},
                           {"subsystemNameEn", sub.name_en},
                           {"identityTypes", nlohmann::json::array({sub.identity_type})}});
        }
    }
    return out;
}

std::optional<std::string> Catalogue::label_of(std::string_view type) const {
    for (const auto& s : systems_)
        for (const auto& sub : s.subsystems)
            if (sub.identity_type == type)
                return s.system_code + " " + s.system_id + " " + sub.name;
    return std::nullopt;
}

std::filesystem::path locate_catalogue(const std::filesystem::path& configured) {
    if (!configured.empty()) {
        if (!std::filesystem::is_regular_file(configured))
            throw ConfigError("portal.catalogue: no such file " + configured.string());
        return configured;
    }
    std::vector<std::filesystem::path> candidates;
    if (auto dir = executable_dir(); !dir.empty())
        candidates.push_back(dir / ".." / "share" / "pkibridge" / "catalogue.json");
#ifdef PKIBRIDGE_CATALOGUE_SOURCE
    candidates.emplace_back(PKIBRIDGE_CATALOGUE_SOURCE);
#endif
    for (const auto& c : candidates)
        if (std::filesystem::is_regular_file(c)) return c.lexically_normal();
    std::string tried;
    for (const auto& c : candidates) tried += " " + c.string();
    throw ConfigError("no portal catalogue found (set portal.catalogue); tried:" + tried);
}

}  // namespace pkibridge::server
