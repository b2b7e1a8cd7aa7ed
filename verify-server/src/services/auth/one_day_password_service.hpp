// One-day passwords: an administrator enables password login for one portal day (with a
// recorded reason); the user receives a check code by e-mail and signs in that day with
// ID + password + check code + CAPTCHA. Only the code's Argon2id hash is stored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "services/admin/portal_user.hpp"

namespace pkibridge::server {

class CredentialStore;
struct PortalServices;

struct OneDayPasswordEnabled {
    std::string valid_on;  // portal day YYYY-MM-DD
    std::string sent_to;   // the e-mail address
};

class OneDayPasswordService {
public:
    OneDayPasswordService(CredentialStore& store, AccountStore& accounts,
                          const ServerConfig& config, const Clock& clock,
                          const PortalServices& portal);

    // Checks the administrator's scope (require_manage), makes a check code, stores its
    // hash for today, e-mails it and audits "account.one-day-password". Errors:
    // account-not-found (404), out-of-scope (403), reason-required (400),
    // account-disabled / account-pending / email-missing (409), mail-disabled (503),
    // mail-failed (502 -> Unavailable).
    OneDayPasswordEnabled enable(const PortalUser& admin, std::int64_t account_id,
                                 std::string_view reason, const std::string& ip);

    // The code for tests of the generator: 8 random digits.
    static std::string new_check_code();

private:
    CredentialStore& store_;
    AccountStore& accounts_;
    const ServerConfig& config_;
    const Clock& clock_;
    const PortalServices& portal_;
};

}  // namespace pkibridge::server
