// The PKCS#11 side of the card drivers: which modules the process uses (from the host
// configuration, loaded lazily by pkcs11::ModuleRegistry) and which driver wins when one card
// is reachable both through a built-in driver (PIV over PC/SC) and a PKCS#11 module.
#pragma once

#include "config/host_config.hpp"

namespace pkibridge::host::drivers {

// Call once at start-up, before any command runs (loads nothing yet).
void configure_pkcs11(const config::HostConfig& config);

// Owns the process's use of PKCS#11 for main(): configures on construction; on destruction
// closes what is left, calls C_Finalize and unloads the modules. That must happen before
// static destruction: libraries the modules share with us (OpenSSL, whose atexit cleanup may
// run first) must still be intact — SoftHSM2 crashes otherwise.
class Pkcs11Scope {
public:
    explicit Pkcs11Scope(const config::HostConfig& config) { configure_pkcs11(config); }
    ~Pkcs11Scope();
    Pkcs11Scope(const Pkcs11Scope&) = delete;
    Pkcs11Scope& operator=(const Pkcs11Scope&) = delete;
};

// True when the configuration prefers PKCS#11 tokens over built-in drivers for a card both
// can reach ("preferredDriver": "pkcs11"); the default is the built-in driver.
bool pkcs11_preferred() noexcept;

}  // namespace pkibridge::host::drivers
