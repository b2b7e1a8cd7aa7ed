#include "services/login_service.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "services/login_token.hpp"

namespace pkibridge::server {

namespace {

[[noreturn]] void reject(ErrorKind kind, const std::string& code, const std::string& message) {
    throw ServiceError(kind, code, message);
}

}  // namespace

LoginService::LoginService(LoginPolicy policy, ChallengeStore& challenges,
                           VerificationService& verifier, AccountStore& accounts,
                           SessionService& sessions, const Clock& clock, Metrics& metrics)
    : policy_(std::move(policy)),
      challenges_(challenges),
      verifier_(verifier),
      accounts_(accounts),
      sessions_(sessions),
      clock_(clock),
      metrics_(metrics) {}

LoginResult LoginService::login_with_certificate(const nlohmann::json& token,
                                                 const ClientInfo& client) {
    try {
        LoginResult r = run(token, client);
        metrics_.increment("pkibridge_logins_total", {{"method", "certificate"}, {"result", "ok"}});
        return r;
    } catch (const ServiceError& e) {
        metrics_.increment("pkibridge_logins_total",
                           {{"method", "certificate"}, {"result", e.code()}});
        throw;
    }
}

VerifiedToken LoginService::verify_token(const nlohmann::json& token_json,
                                         const ClientInfo& client) {
    // 1. Token shape: JSON members and base64, then the DER of the certificate and of the
    //    CMS (each decoded once here and reused by every later check).
    LoginToken token = parse_login_token(token_json);
    const std::string fingerprint = sha256_hex(pkcs::to_string(token.certificate_der));
    std::optional<pkcs::Certificate> certificate =
        verifier_.certificate(token.certificate_der, fingerprint);
    if (!certificate) {
        reject(ErrorKind::BadRequest, "token-certificate-malformed",
               "the token's certificate is not a DER X.509 certificate");
    }
    // The signature is computed now but judged at step 6, after the cheaper checks.
    pkcs::CmsSignatureResult sig =
        verifier_.check_signature(token.cms_der, std::nullopt, {*certificate});
    if (sig.status == pkcs::ValidationStatus::Malformed) {
        reject(ErrorKind::BadRequest, "cms-malformed", "token pkcs7: " + sig.message);
    }
    if (sig.detached || !sig.content) {
        reject(ErrorKind::BadRequest, "cms-malformed",
               "token pkcs7 must carry its content (attached signature)");
    }
    // 2. Signed content format (not yet trusted: only read to find the nonce).
    AuthContent content = parse_auth_content(*sig.content);
    // 3. Origin: the page that asked the host to sign must be one of our portals.
    if (std::find(policy_.origins.begin(), policy_.origins.end(), content.origin) ==
        policy_.origins.end()) {
        reject(ErrorKind::Forbidden, "origin-mismatch",
               "the token was made for origin '" + content.origin.substr(0, 200) +
                   "', which is not a portal origin of this server");
    }
    // 4. Nonce: issued here, for this browser session, unexpired and unused. Consumed now,
    //    so the token is spent even if a later check fails.
    switch (challenges_.consume(content.nonce, client.prelogin_id)) {
        case ChallengeOutcome::Accepted:
            break;
        case ChallengeOutcome::Unknown:
            reject(ErrorKind::Forbidden, "nonce-unknown",
                   "the nonce was not issued by this server (or long ago)");
        case ChallengeOutcome::Expired:
            reject(ErrorKind::Forbidden, "nonce-expired",
                   "the challenge expired; request a new one and sign again");
        case ChallengeOutcome::Replayed:
            reject(ErrorKind::Conflict, "nonce-replayed", "the challenge was already used");
        case ChallengeOutcome::WrongSession:
            reject(ErrorKind::Forbidden, "nonce-session-mismatch",
                   "the challenge was issued to another browser session");
    }
    // 5. issuedAt within the allowed clock skew.
    const std::int64_t issued_at = parse_issued_at(content.issued_at);
    const std::int64_t now = clock_.now_unix();
    if (std::llabs(now - issued_at) > policy_.clock_skew_seconds) {
        reject(ErrorKind::Forbidden, "issued-at-skew",
               "issuedAt is " + std::to_string(issued_at - now) +
                   " s away from the server clock (allowed: " +
                   std::to_string(policy_.clock_skew_seconds) + " s)");
    }
    // 6. CMS signature, and the signer is the token's certificate.
    if (!sig.ok() || !sig.signer) {
        metrics_.increment(
            "pkibridge_verifications_total",
            {{"kind", "login"}, {"result", std::string(pkcs::validation_status_name(sig.status))}});
        reject(ErrorKind::Unauthenticated, std::string(pkcs::validation_status_name(sig.status)),
               "token signature: " + sig.message);
    }
    if (!(*sig.signer == *certificate)) {
        reject(ErrorKind::Unauthenticated, "certificate-mismatch",
               "the token's certificate is not the certificate that signed it");
    }
    // 7. Certificate: chain to a configured anchor, validity, key usage, revocation.
    PathOutcome path =
        verifier_.validate_signer(*certificate, sig.embedded_certificates, fingerprint);
    metrics_.increment("pkibridge_verifications_total",
                       {{"kind", "login"}, {"result", std::string(path.path.reason())}});
    if (!path.path.ok()) {
        reject(ErrorKind::Unauthenticated, std::string(path.path.reason()),
               "certificate: " + path.path.message);
    }
    return VerifiedToken{std::move(*certificate), fingerprint, path.from_cache};
}

LoginResult LoginService::run(const nlohmann::json& token_json, const ClientInfo& client) {
    VerifiedToken verified = verify_token(token_json, client);
    const std::int64_t now = clock_.now_unix();
    // 8. Registered to an account that may log in.
    std::optional<Account> account;
    std::optional<RegisteredCertificate> registration;
    check_account(verified.certificate, verified.fingerprint, account, registration);

    LoginEvent event;
    event.account_id = account->id;
    event.at = now;
    event.method = "certificate";
    event.certificate_sha256 = registration->sha256;
    event.certificate_subject = verified.certificate.subject();
    if (!client.ip.empty()) event.ip = client.ip;
    if (!client.user_agent.empty()) event.user_agent = client.user_agent.substr(0, 512);
    LoginResult result{sessions_.create_with_login(event), std::move(*account),
                       std::move(verified.certificate), verified.path_from_cache};
    return result;
}

void LoginService::check_account(const pkcs::Certificate& cert, const std::string& fingerprint,
                                 std::optional<Account>& account,
                                 std::optional<RegisteredCertificate>& registration) {
    registration = accounts_.certificate_by_fingerprint(fingerprint);
    if (!registration) {
        // A MOICA card carries the last four digits of the holder's national ID. An
        // account with those digits and the card's name, which has no certificate yet, is
        // someone who has to register the card first (first-login flow).
        auto gpki = cert.gpki_attributes();
        if (cert.ca_kind() == pkcs::CaKind::Moica && gpki.id_last4) {
            const std::string cn = cert.subject_common_name();
            for (const auto& candidate :
                 accounts_.unregistered_accounts_by_id_last4(*gpki.id_last4)) {
                if (candidate.name == cn) {
                    reject(ErrorKind::Forbidden, "registration-required",
                           "this citizen certificate is not registered yet: sign in with your "
                           "ID account once and register the card");
                }
            }
        }
        reject(ErrorKind::Forbidden, "certificate-not-registered",
               "the certificate is not registered to any account");
    }
    if (registration->disabled_at) {
        reject(ErrorKind::Forbidden, "certificate-disabled",
               "the certificate's registration was withdrawn");
    }
    account = accounts_.account_by_id(registration->account_id);
    if (!account) {
        reject(ErrorKind::Forbidden, "certificate-not-registered",
               "the certificate is not registered to any account");
    }
    switch (account->status) {
        case AccountStatus::Active:
            break;
        case AccountStatus::Pending:
            reject(ErrorKind::Forbidden, "account-pending",
                   "the account has not been activated yet");
        case AccountStatus::Disabled:
            reject(ErrorKind::Forbidden, "account-disabled", "the account is disabled");
        case AccountStatus::Locked:
            if (account->locked_until && *account->locked_until <= clock_.now_unix()) break;
            reject(ErrorKind::Forbidden, "account-locked", "the account is locked");
    }
}

}  // namespace pkibridge::server
