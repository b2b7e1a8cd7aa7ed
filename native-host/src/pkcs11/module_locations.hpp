// Which PKCS#11 modules the host tries, in order: the configured ones, then (unless turned
// off) the well-known vendor locations of this OS that exist, then the modules registered
// with p11-kit. The same file reached twice is tried once.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pkibridge::host::pkcs11 {

enum class ModuleSource { Config, WellKnown, P11Kit };
std::string_view source_name(ModuleSource source) noexcept;  // "config", "default", "p11-kit"

struct ModuleSpec {
    std::string path;
    ModuleSource source = ModuleSource::Config;
};

// HiCOS (the GPKI card vendor's module) and OpenSC at their usual places for this OS.
std::vector<std::string> well_known_module_paths();

// p11-kit's registry folders: the user's, /etc/pkcs11/modules, the package one.
std::vector<std::filesystem::path> p11kit_registry_dirs();

// The "module:" of every *.module file in `dirs` (first folder wins per file name), skipping
// p11-kit's own trust/proxy modules and modules disabled for this program (enable-in /
// disable-in). Relative module names are resolved in p11-kit's module folder.
std::vector<std::string> p11kit_registered_modules(const std::vector<std::filesystem::path>& dirs);

// The full plan: configured paths (always, so that a missing one is reported), then the
// defaults that exist when `use_defaults`.
std::vector<ModuleSpec> module_plan(const std::vector<std::string>& configured, bool use_defaults);

}  // namespace pkibridge::host::pkcs11
