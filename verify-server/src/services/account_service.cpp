#include "services/account_service.hpp"

#include <regex>

#include "core/errors.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/test_ca.hpp"

namespace pkibridge::server {

namespace {
[[noreturn]] void invalid(const char* code, const std::string& message) {
    throw ServiceError(ErrorKind::BadRequest, code, message);
}
}  // namespace

CertificateRegistration registration_for(const pkcs::Certificate& c) {
    return {c.sha256_fingerprint(), c.issuer(), c.serial_hex(), c.subject(), c.not_after()};
}

void AccountService::validate_profile(const AccountProfile& p) {
    try {
        pkcs::validate_national_id(p.national_id);
    } catch (const pkcs::PkcsError& e) {
        invalid("invalid-national-id", e.what());
    }
    if (p.name.empty() || p.name.size() > 200) invalid("invalid-name", "name must be 1-200 bytes");
    for (const auto* oid : {&p.agency_oid, &p.jurisdiction_oid}) {
        if (!*oid) continue;
        try {
            pkcs::validate_oid(**oid);
        } catch (const pkcs::PkcsError& e) {
            invalid("invalid-oid", e.what());
        }
    }
    static const std::regex date(R"(\d{4}-\d{2}-\d{2})");
    if (p.birth_date && !std::regex_match(*p.birth_date, date))
        invalid("invalid-birth-date", "birth date must be YYYY-MM-DD");
}

void AccountService::check_certificate_owner(const pkcs::Certificate& cert,
                                             std::string_view national_id, bool force) {
    auto gpki = cert.gpki_attributes();
    if (force || !gpki.id_last4) return;
    if (national_id.size() < 4 || national_id.substr(national_id.size() - 4) != *gpki.id_last4) {
        throw ServiceError(ErrorKind::Conflict, "certificate-id-mismatch",
                           "the certificate's ID last four digits (" + *gpki.id_last4 +
                               ") do not match " + std::string(national_id));
    }
}

Account AccountService::create(AccountProfile profile,
                               const std::optional<pkcs::Certificate>& certificate, bool force,
                               std::string_view actor) {
    validate_profile(profile);
    if (certificate) check_certificate_owner(*certificate, profile.national_id, force);
    std::optional<CertificateRegistration> reg;
    if (certificate) {
        reg = registration_for(*certificate);
        // Checked first for a precise error; the store's unique index still decides races.
        if (store_.certificate_by_fingerprint(reg->sha256))
            throw ServiceError(ErrorKind::Conflict, "certificate-registered",
                               "the certificate is already registered to an account");
    }
    try {
        return store_.create_account(profile, actor, reg ? &*reg : nullptr);
    } catch (const StoreError& e) {
        if (e.kind() != StoreError::Kind::Conflict) throw;
        if (reg && std::string_view(e.what()).find("certificate") != std::string_view::npos)
            throw ServiceError(ErrorKind::Conflict, "certificate-registered", e.what());
        throw ServiceError(ErrorKind::Conflict, "account-exists", e.what());
    }
}

RegisteredCertificate AccountService::register_certificate(std::string_view national_id,
                                                           const pkcs::Certificate& certificate,
                                                           bool force, std::string_view actor) {
    check_certificate_owner(certificate, national_id, force);
    auto account = store_.account_by_national_id(national_id);
    if (!account)
        throw ServiceError(ErrorKind::NotFound, "account-not-found",
                           "no account " + std::string(national_id));
    try {
        return store_.register_certificate(account->id, registration_for(certificate), actor);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Conflict)
            throw ServiceError(ErrorKind::Conflict, "certificate-registered", e.what());
        throw;
    }
}

}  // namespace pkibridge::server
