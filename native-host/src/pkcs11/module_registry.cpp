#include "pkcs11/module_registry.hpp"

#include "core/log.hpp"
#include "pkcs11/ck_error.hpp"

namespace pkibridge::host::pkcs11 {

ModuleRegistry& ModuleRegistry::instance() {
    static ModuleRegistry registry;
    return registry;
}

ModuleRegistry::~ModuleRegistry() {
    std::lock_guard lock(mutex_);
    entries_.reset();  // C_Finalize + dlclose, in plan order
}

void ModuleRegistry::configure(std::vector<ModuleSpec> plan) {
    std::lock_guard lock(mutex_);
    plan_ = std::move(plan);
    entries_.reset();
}

void ModuleRegistry::unload() {
    std::lock_guard lock(mutex_);
    plan_.clear();
    entries_.emplace();  // loaded: nothing
}

void ModuleRegistry::load_locked() {
    if (entries_) return;
    std::vector<Entry> entries;
    for (const ModuleSpec& spec : plan_) {
        Entry entry{spec, nullptr, {}};
        try {
            entry.module = Module::load(spec.path);
            log::info("PKCS#11 module " + spec.path + " loaded: " + entry.module->description());
        } catch (const Pkcs11Error& e) {
            entry.error = e.what();
            log::warning("PKCS#11 module " + spec.path + " skipped: " + entry.error);
        }
        entries.push_back(std::move(entry));
    }
    entries_ = std::move(entries);
}

std::vector<std::shared_ptr<Module>> ModuleRegistry::modules() {
    std::lock_guard lock(mutex_);
    load_locked();
    std::vector<std::shared_ptr<Module>> out;
    for (const Entry& e : *entries_)
        if (e.module) out.push_back(e.module);
    return out;
}

std::vector<ModuleReport> ModuleRegistry::report() {
    std::lock_guard lock(mutex_);
    load_locked();
    std::vector<ModuleReport> out;
    for (const Entry& e : *entries_)
        out.push_back(
            {e.spec, e.module != nullptr, e.module ? e.module->description() : "", e.error});
    return out;
}

}  // namespace pkibridge::host::pkcs11
