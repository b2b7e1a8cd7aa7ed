#include "services/auth/totp_service.hpp"

#include <openssl/rand.h>

#include "core/errors.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "services/admin/audit_log.hpp"
#include "services/auth/totp.hpp"
#include "services/portal_services.hpp"
#include "store/portal/credential_store.hpp"

namespace pkibridge::server {

namespace {
constexpr std::size_t kSecretBytes = 20;  // RFC 4226 recommends 160 bits for HMAC-SHA1
}

TotpService::TotpService(CredentialStore& store, const PortalConfig& config, const Clock& clock,
                         const PortalServices& portal)
    : store_(store), config_(config), clock_(clock), portal_(portal) {}

TotpStatus TotpService::status(std::int64_t account_id) {
    auto rec = store_.totp_of(account_id);
    if (!rec) return {};
    return TotpStatus{true, rec->version, rec->created_at};
}

TotpEnrollment TotpService::rebuild(const Account& account, const std::string& ip) {
    std::string buffer(kSecretBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(buffer.data()),
                   static_cast<int>(kSecretBytes)) != 1)
        throw ServiceError(ErrorKind::Internal, "internal-error", "no randomness for TOTP");
    pkcs::SecretString raw(std::move(buffer));
    const std::string b32 = base32_encode(raw.value());
    const std::int64_t now = clock_.now_unix();
    auto old = store_.totp_of(account.id);
    TotpRecord rec = store_.replace_totp(account.id, b32, now);
    TotpEnrollment e;
    e.version = rec.version;
    e.secret_base32 = b32;
    e.created_at = now;
    // The version is in the label so the app shows which QR code it holds.
    e.otpauth_uri = otpauth_uri(config_.totp_issuer,
                                account.national_id + " v" + std::to_string(rec.version), b32);
    e.qr_svg = qr_svg(e.otpauth_uri);
    if (portal_.audit) {
        AuditEntry a = account_audit_entry(now, "account:" + std::to_string(account.id),
                                           "account.totp-rebuild", account, ip);
        a.before = old ? nlohmann::json{{"totpVersion", old->version}} : nlohmann::json(nullptr);
        a.after = {{"totpVersion", rec.version}};
        portal_.audit->append(std::move(a));
    }
    return e;
}

TotpCheck TotpService::check(std::int64_t account_id, std::string_view code) {
    auto rec = store_.totp_of(account_id);
    if (!rec) return TotpCheck::NotEnrolled;
    auto raw = base32_decode(rec->secret_base32);
    if (!raw) return TotpCheck::Invalid;
    pkcs::SecretString secret(std::move(*raw));
    auto step = totp_match(secret.value(), clock_.now_unix(), code, 1);
    if (!step) return TotpCheck::Invalid;
    // Atomic: only if this version is still current and the step is newer than the last.
    return store_.use_totp_step(account_id, rec->version, *step) ? TotpCheck::Accepted
                                                                 : TotpCheck::Invalid;
}

}  // namespace pkibridge::server
