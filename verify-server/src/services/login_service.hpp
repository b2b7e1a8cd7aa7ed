// Certificate login: checks a pkibridge-auth:1 token step by step, each failure with its
// own error code (docs/server-api.md), and on success opens a session and records the login.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "services/challenge_store.hpp"
#include "services/metrics.hpp"
#include "services/session_service.hpp"
#include "services/verification_service.hpp"
#include "store/account_store.hpp"

namespace pkibridge::server {

struct LoginPolicy {
    std::vector<std::string> origins;  // normalised; the token's origin must be one of them
    std::int64_t clock_skew_seconds = 300;
};

struct ClientInfo {
    std::string prelogin_id;  // the browser's pre-login cookie (binds the challenge)
    std::string ip;
    std::string user_agent;
};

struct LoginResult {
    NewSession session;
    Account account;
    pkcs::Certificate certificate;
    bool path_from_cache = false;
};

// A token whose signature, nonce, origin, time and certificate chain all checked out
// (steps 1-7 of a certificate login), before any account lookup.
struct VerifiedToken {
    pkcs::Certificate certificate;
    std::string fingerprint;  // lowercase hex SHA-256 of the DER
    bool path_from_cache = false;
};

class LoginService {
public:
    LoginService(LoginPolicy policy, ChallengeStore& challenges, VerificationService& verifier,
                 AccountStore& accounts, SessionService& sessions, const Clock& clock,
                 Metrics& metrics);

    // `token` is the request's "token" member. Throws ServiceError on every rejection.
    LoginResult login_with_certificate(const nlohmann::json& token, const ClientInfo& client);

    // Steps 1-7 only (consumes the nonce): certificate registration on the portal reuses
    // them. Throws the same ServiceErrors as login_with_certificate.
    VerifiedToken verify_token(const nlohmann::json& token, const ClientInfo& client);

private:
    LoginResult run(const nlohmann::json& token, const ClientInfo& client);
    void check_account(const pkcs::Certificate& cert, const std::string& fingerprint,
                       std::optional<Account>& account,
                       std::optional<RegisteredCertificate>& registration);

    LoginPolicy policy_;
    ChallengeStore& challenges_;
    VerificationService& verifier_;
    AccountStore& accounts_;
    SessionService& sessions_;
    const Clock& clock_;
    Metrics& metrics_;
};

}  // namespace pkibridge::server
