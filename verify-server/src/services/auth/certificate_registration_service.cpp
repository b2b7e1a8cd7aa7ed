#include "services/auth/certificate_registration_service.hpp"

#include "core/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/admin/audit_log.hpp"
#include "services/auth/auth_error.hpp"
#include "services/portal_services.hpp"
#include "store/portal/credential_store.hpp"

namespace pkibridge::server {

namespace {

std::string last4(const std::string& id) {
    return id.size() >= 4 ? id.substr(id.size() - 4) : id;
}

}  // namespace

CertificateRegistrationService::CertificateRegistrationService(LoginService& login,
                                                               AccountStore& accounts,
                                                               CredentialStore& store,
                                                               const Clock& clock,
                                                               const PortalServices& portal)
    : login_(login), accounts_(accounts), store_(store), clock_(clock), portal_(portal) {}

CertificateRegistrationResult CertificateRegistrationService::register_certificate(
    const PortalUser& user, const nlohmann::json& token, const ClientInfo& client) {
    const Account& account = user.account;
    if (account.password_must_change) {
        throw AuthError(ErrorKind::Forbidden, "password-change-required",
                        "change the initial password first, then register the certificate",
                        "請先變更密碼，再進行自然人憑證註冊。");
    }
    VerifiedToken verified = login_.verify_token(token, client);
    const pkcs::Certificate& cert = verified.certificate;

    // Only the holder's own citizen certificate: the MOICA card carries the ID's last four
    // digits and the holder's name.
    const auto gpki = cert.gpki_attributes();
    const bool citizen = cert.ca_kind() == pkcs::CaKind::Moica;
    if (!citizen || !gpki.id_last4 || *gpki.id_last4 != last4(account.national_id) ||
        cert.subject_common_name() != account.name) {
        throw AuthError(ErrorKind::Forbidden, "certificate-holder-mismatch",
                        citizen ? "this citizen certificate belongs to someone else (ID number or "
                                  "name differ from the account)"
                                : "only your own citizen (MOICA) certificate can be registered",
                        citizen ? "此自然人憑證的持有人與帳號不符（身分證號末四碼或姓名不同）。"
                                : "僅能註冊您本人的自然人憑證。");
    }
    if (accounts_.certificate_by_fingerprint(verified.fingerprint)) {
        throw AuthError(ErrorKind::Conflict, "certificate-already-registered",
                        "this certificate is registered already",
                        "此憑證已完成註冊，請直接以憑證登入。");
    }
    CertificateRegistration reg;
    reg.sha256 = verified.fingerprint;
    reg.issuer = cert.issuer();
    reg.serial = cert.serial_hex();
    reg.subject = cert.subject();
    reg.not_after = cert.not_after();
    CertificateRegistrationResult out;
    try {
        out.certificate = accounts_.register_certificate(account.id, reg, user.actor());
    } catch (const StoreError& e) {
        if (e.kind() != StoreError::Kind::Conflict) throw;
        throw AuthError(ErrorKind::Conflict, "certificate-already-registered",
                        "this certificate is registered already",
                        "此憑證已完成註冊，請直接以憑證登入。");
    }
    const std::int64_t now = clock_.now_unix();
    if (account.status == AccountStatus::Pending && account.has_password) {
        store_.activate(account.id, now);
        out.activated = true;
    }
    out.account = accounts_.account_by_id(account.id).value_or(account);
    if (portal_.audit) {
        AuditEntry a =
            account_audit_entry(now, user.actor(), "certificate.register", account, client.ip);
        a.before = {{"status", account_status_name(account.status)}};
        a.after = {{"status", account_status_name(out.account.status)},
                   {"certificate",
                    {{"sha256", reg.sha256},
                     {"subject", reg.subject},
                     {"issuer", reg.issuer},
                     {"serial", reg.serial},
                     {"notAfter", pkcs::format_rfc3339(reg.not_after)}}}};
        portal_.audit->append(std::move(a));
    }
    return out;
}

}  // namespace pkibridge::server
