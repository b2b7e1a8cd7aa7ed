// Account administration shared by the CLI and the admin API: input validation, account
// creation with an optional first certificate, certificate registration. Errors:
// ServiceError (invalid input, conflicts) — store errors are translated here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pkibridge/pkcs/certificate.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

CertificateRegistration registration_for(const pkcs::Certificate& cert);

class AccountService {
public:
    explicit AccountService(AccountStore& store) : store_(store) {}

    // Codes: invalid-national-id, invalid-name, invalid-oid, invalid-birth-date,
    // certificate-id-mismatch (a MOICA certificate naming other ID digits; force skips),
    // account-exists, certificate-registered.
    Account create(AccountProfile profile, const std::optional<pkcs::Certificate>& certificate,
                   bool force, std::string_view actor);
    // Codes: account-not-found, certificate-id-mismatch, certificate-registered.
    RegisteredCertificate register_certificate(std::string_view national_id,
                                               const pkcs::Certificate& certificate, bool force,
                                               std::string_view actor);

    static void validate_profile(const AccountProfile& profile);
    // Throws certificate-id-mismatch unless force or the digits match.
    static void check_certificate_owner(const pkcs::Certificate& cert, std::string_view national_id,
                                        bool force);

private:
    AccountStore& store_;
};

}  // namespace pkibridge::server
