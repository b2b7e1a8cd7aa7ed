// Binding a citizen certificate to the signed-in account (activation step 2): the same
// token checks as a certificate login (LoginService::verify_token), then the holder must
// be the account's owner (ID last four and name on the MOICA certificate). A pending
// account whose initial password was changed becomes active.
#pragma once

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "services/admin/portal_user.hpp"
#include "services/login_service.hpp"

namespace pkibridge::server {

class CredentialStore;
struct PortalServices;

struct CertificateRegistrationResult {
    RegisteredCertificate certificate;
    Account account;  // after the change
    bool activated = false;
};

class CertificateRegistrationService {
public:
    CertificateRegistrationService(LoginService& login, AccountStore& accounts,
                                   CredentialStore& store, const Clock& clock,
                                   const PortalServices& portal);

    // Errors: password-change-required (403), the certificate-login codes,
    // certificate-holder-mismatch (403), certificate-already-registered (409).
    CertificateRegistrationResult register_certificate(const PortalUser& user,
                                                       const nlohmann::json& token,
                                                       const ClientInfo& client);

private:
    LoginService& login_;
    AccountStore& accounts_;
    CredentialStore& store_;
    const Clock& clock_;
    const PortalServices& portal_;
};

}  // namespace pkibridge::server
