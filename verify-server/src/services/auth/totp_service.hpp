// Authenticator (TOTP) enrolment and checks. Each rebuild makes a new random 160-bit
// secret with the next version number; codes of older versions stop working at once. A
// time step that was accepted once is never accepted again (no replay).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

class CredentialStore;
struct PortalServices;

struct TotpStatus {
    bool enrolled = false;
    int version = 0;
    std::optional<std::int64_t> created_at;
};

struct TotpEnrollment {
    int version = 0;
    std::string otpauth_uri;
    std::string qr_svg;
    std::string secret_base32;
    std::int64_t created_at = 0;
};

enum class TotpCheck { Accepted, NotEnrolled, Invalid };

class TotpService {
public:
    TotpService(CredentialStore& store, const PortalConfig& config, const Clock& clock,
                const PortalServices& portal);

    TotpStatus status(std::int64_t account_id);
    // New secret, next version; audit "account.totp-rebuild" (no secret in it).
    TotpEnrollment rebuild(const Account& account, const std::string& ip);
    // The code of the current version within +-1 step of now, not used before.
    TotpCheck check(std::int64_t account_id, std::string_view code);

private:
    CredentialStore& store_;
    const PortalConfig& config_;
    const Clock& clock_;
    const PortalServices& portal_;
};

}  // namespace pkibridge::server
