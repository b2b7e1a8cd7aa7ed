// The process's PKCS#11 modules. Each planned module is loaded once, on first use (status or
// a card command), and stays initialised until the host exits: C_Initialize and card
// detection are too slow to repeat per request. A module that fails is remembered with its
// error (status shows it) and skipped; it never stops the other drivers. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pkcs11/module.hpp"
#include "pkcs11/module_locations.hpp"

namespace pkibridge::host::pkcs11 {

struct ModuleReport {
    ModuleSpec spec;
    bool loaded = false;
    std::string library;  // C_GetInfo description when loaded
    std::string error;    // why it could not be used
};

class ModuleRegistry {
public:
    static ModuleRegistry& instance();

    // Sets the plan; modules loaded under an earlier plan are unloaded. Call before use.
    void configure(std::vector<ModuleSpec> plan);
    // The modules that loaded, in plan order (loads them on the first call).
    std::vector<std::shared_ptr<Module>> modules();
    std::vector<ModuleReport> report();
    // Finalises and unloads every module (once the tokens that hold one are gone) and loads
    // none afterwards. For the end of main().
    void unload();

    ~ModuleRegistry();

private:
    struct Entry {
        ModuleSpec spec;
        std::shared_ptr<Module> module;
        std::string error;
    };
    void load_locked();

    std::mutex mutex_;
    std::vector<ModuleSpec> plan_;
    std::optional<std::vector<Entry>> entries_;  // nullopt: not loaded yet
};

}  // namespace pkibridge::host::pkcs11
