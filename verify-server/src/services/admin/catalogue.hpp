// The catalogue of application systems and the identity types administrators grant
// (seed 000's table: system code, category, system id, sub-system, identity type). Loaded
// once from a JSON data file (verify-server/data/catalogue.json, installed to
// share/pkibridge/); read-only afterwards, so shared between threads without locks.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pkibridge::server {

struct CatalogueSubsystem {
    std::string name;     // Traditional Chinese, as in the seed
    std::string name_en;  // English, for the English pages (may be empty)
    std::string identity_type;
};

struct CatalogueSystem {
    std::string system_code;  // e.g. DC100
    std::string category;
    std::string category_en;
    std::string system_id;  // e.g. csm
    std::vector<CatalogueSubsystem> subsystems;
};

class Catalogue {
public:
    // Throws ConfigError naming the file and what is wrong (bad JSON, missing field,
    // duplicate identity type, identity type with characters outside [a-z0-9_]).
    static Catalogue load(const std::filesystem::path& file);
    static Catalogue parse(std::string_view json_text, const std::string& what);

    const std::vector<CatalogueSystem>& systems() const noexcept { return systems_; }
    bool has_identity_type(std::string_view type) const;
    // The API's entries (one per sub-system) whose identity type is in `held`; all when
    // `held` is nullopt.
    nlohmann::json entries_json(const std::vector<std::string>* held = nullptr) const;
    // "DC100 csm 公司登記管理系統管理者" style label of an identity type for exports.
    std::optional<std::string> label_of(std::string_view type) const;

private:
    std::vector<CatalogueSystem> systems_;
};

// Where the catalogue is: the configured path when set, else share/pkibridge/catalogue.json
// next to the executable (../share/pkibridge from bin/), else the source tree's copy
// (PKIBRIDGE_CATALOGUE_SOURCE, for running from a build directory). Throws ConfigError
// when none exists.
std::filesystem::path locate_catalogue(const std::filesystem::path& configured);

}  // namespace pkibridge::server
