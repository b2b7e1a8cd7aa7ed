#include "drivers/pkcs11_drivers.hpp"

#include <atomic>

#include "pkcs11/module_registry.hpp"

namespace pkibridge::host::drivers {
namespace {

std::atomic<bool> prefer_pkcs11{false};

}  // namespace

void configure_pkcs11(const config::HostConfig& config) {
    prefer_pkcs11 = config.preferred_driver == config::HostConfig::PreferredDriver::Pkcs11;
    pkcs11::ModuleRegistry::instance().configure(
        pkcs11::module_plan(config.pkcs11_modules, config.pkcs11_default_modules));
}

Pkcs11Scope::~Pkcs11Scope() {
    pkcs11::ModuleRegistry::instance().unload();
}

bool pkcs11_preferred() noexcept {
    return prefer_pkcs11;
}

}  // namespace pkibridge::host::drivers
