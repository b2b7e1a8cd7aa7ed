#include "services/auth/credential_service.hpp"

#include "core/errors.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/admin/audit_log.hpp"
#include "services/auth/auth_error.hpp"
#include "services/auth/password_hash.hpp"
#include "services/portal_services.hpp"
#include "store/portal/credential_store.hpp"

namespace pkibridge::server {

CredentialService::CredentialService(CredentialStore& store, const PortalConfig& config,
                                     const Clock& clock, const PortalServices& portal)
    : store_(store), config_(config), clock_(clock), portal_(portal) {}

void CredentialService::set_initial_password(std::int64_t account_id, std::string_view national_id,
                                             std::string_view birth_date, std::string_view day) {
    portal_.calendar.start_of_day(day);  // validates the date (invalid-date)
    pkcs::SecretString initial(initial_password_for(national_id, birth_date));
    store_.set_initial_password(account_id, hash_password(initial.value()), day, clock_.now_unix());
}

void CredentialService::clear_lockout(std::int64_t account_id) {
    store_.clear_lockout(account_id, clock_.now_unix());
}

void CredentialService::throw_locked(std::int64_t locked_until) const {
    throw account_locked_error(locked_until, config_);
}

void CredentialService::check_not_locked(const Account& account) const {
    auto rec = store_.password_of(account.id);
    if (rec && rec->locked_until && *rec->locked_until > clock_.now_unix())
        throw_locked(*rec->locked_until);
}

int CredentialService::count_failure(const Account& account, const std::string& ip) {
    const std::int64_t now = clock_.now_unix();
    FailureOutcome out = store_.record_failure(account.id, config_.lockout_attempts,
                                               now + config_.lockout_seconds, now);
    if (out.locked_until) {
        if (portal_.audit) {
            AuditEntry e = account_audit_entry(now, "anonymous", "account.lockout", account, ip);
            e.before = {{"failedAttempts", out.attempts - 1}};
            e.after = {{"failedAttempts", out.attempts},
                       {"lockedUntil", pkcs::format_rfc3339(*out.locked_until)}};
            portal_.audit->append(std::move(e));
        }
        throw_locked(*out.locked_until);
    }
    return config_.lockout_attempts - out.attempts;
}

void CredentialService::verify_password(const Account& account, std::string_view password,
                                        const std::string& ip) {
    auto rec = store_.password_of(account.id);
    const std::int64_t now = clock_.now_unix();
    if (rec && rec->locked_until && *rec->locked_until > now) throw_locked(*rec->locked_until);
    const bool ok = rec && rec->hash && verify_password_hash(*rec->hash, password);
    if (!ok) {
        const int left = count_failure(account, ip);
        throw credentials_invalid_error(left);
    }
}

void CredentialService::login_succeeded(std::int64_t account_id) {
    store_.reset_failures(account_id);
}

void CredentialService::change_password(const Account& account, std::string_view current_password,
                                        std::string_view new_password, const std::string& ip) {
    auto rec = store_.password_of(account.id);
    if (!rec || !rec->hash || !verify_password_hash(*rec->hash, current_password)) {
        throw AuthError(ErrorKind::Unauthenticated, "password-incorrect",
                        "the current password is wrong", "目前的密碼不正確，請重新輸入。");
    }
    PasswordPolicyResult policy =
        check_password_policy(new_password, account.national_id, config_.password_min_length);
    if (!policy.ok())
        throw AuthError(ErrorKind::BadRequest, policy.code, policy.message, policy.message_zh);
    const bool reused =
        verify_password_hash(*rec->hash, new_password) ||
        (rec->previous_hash && verify_password_hash(*rec->previous_hash, new_password));
    if (reused) {
        throw AuthError(ErrorKind::BadRequest, "password-reused",
                        "the new password must differ from the current and the previous one",
                        "新密碼不可與目前或前一次使用的密碼相同，請另設密碼。");
    }
    const std::int64_t now = clock_.now_unix();
    store_.set_password(account.id, hash_password(new_password), now);
    if (portal_.audit) {
        AuditEntry e = account_audit_entry(now, "account:" + std::to_string(account.id),
                                           "account.password-change", account, ip);
        e.before = {{"mustChangePassword", rec->must_change}};
        e.after = {{"mustChangePassword", false}};
        portal_.audit->append(std::move(e));
    }
}

}  // namespace pkibridge::server
