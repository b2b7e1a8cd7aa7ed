#include "services/admin/admin_service.hpp"

#include <algorithm>
#include <set>

#include "services/admin/account_rules.hpp"
#include "services/admin/admin_errors.hpp"
#include "services/admin/audit_log.hpp"
#include "services/auth/credential_service.hpp"

namespace pkibridge::server {

namespace {

[[noreturn]] void bad_field(const std::string& code, const std::string& field,
                            const std::string& message) {
    throw FieldError(ErrorKind::BadRequest, code, field, message);
}

// UTF-8 code points (the byte length would penalise Chinese names three-fold).
std::size_t text_length(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void check_text(const std::optional<std::string>& v, const char* field, std::size_t max,
                bool required) {
    if (!v || v->empty()) {
        if (required) bad_field("field-required", field, std::string(field) + " is required");
        return;
    }
    if (text_length(*v) > max)
        bad_field("field-too-long", field,
                  std::string(field) + " is longer than " + std::to_string(max) + " characters");
    for (unsigned char c : *v)
        if (c < 0x20 || c == 0x7f)
            bad_field("invalid-characters", field,
                      std::string(field) + " contains control characters");
}

void check_phone(const std::optional<std::string>& v) {
    if (!v || v->empty()) return;
    check_text(v, "phone", 30, false);
    for (char c : *v)
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' ' || c == '(' || c == ')' ||
              c == '#'))
            bad_field("invalid-phone", "phone", "phone may hold digits, spaces and + - ( ) # only");
}

void check_email(const std::optional<std::string>& v, bool required) {
    if (!v || v->empty()) {
        if (required) bad_field("field-required", "email", "email is required");
        return;
    }
    if (!valid_email(*v)) bad_field("invalid-email", "email", "not a valid e-mail address");
}

void check_oid(const std::optional<std::string>& v, const char* field, bool required) {
    if (!v || v->empty()) {
        if (required) bad_field("field-required", field, std::string(field) + " is required");
        return;
    }
    if (!valid_oid(*v))
        bad_field("invalid-oid", field,
                  std::string(field) + " must be a dotted-decimal OID such as 2.16.886.101.20003");
}

void check_birth_date(const std::optional<std::string>& v, bool required) {
    if (!v || v->empty()) {
        if (required) bad_field("field-required", "birthDate", "birthDate is required");
        return;
    }
    if (!valid_calendar_date(*v))
        bad_field("invalid-birth-date", "birthDate", "birthDate must be a real date YYYY-MM-DD");
}

void check_national_id(const std::string& id) {
    if (!valid_national_id(id))
        bad_field("invalid-national-id", "nationalId",
                  "not a valid national ID (a letter and 9 digits with a correct check digit)");
}

std::optional<std::string> blank_as_null(const std::optional<std::string>& v) {
    if (v && v->empty()) return std::nullopt;
    return v;
}

bool has(const std::vector<std::string>& v, std::string_view x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

[[noreturn]] void not_found(std::int64_t id) {
    throw ServiceError(ErrorKind::NotFound, "account-not-found",
                       "no account with id " + std::to_string(id));
}

}  // namespace

void validate_new_profile(const AccountProfile& p) {
    check_national_id(p.national_id);
    check_text(p.name, "name", 100, true);
    check_birth_date(p.birth_date, true);
    check_text(p.agency, "agency", 200, false);
    check_text(p.unit, "unit", 200, false);
    check_oid(p.agency_oid, "agencyOid", true);
    check_oid(p.jurisdiction_oid, "jurisdictionOid", false);
    check_email(p.email, true);
    check_phone(p.phone);
}

void validate_profile_change(const ProfileChange& c) {
    if (c.national_id) check_national_id(*c.national_id);
    if (c.name) check_text(c.name, "name", 100, true);
    if (c.birth_date) check_birth_date(c.birth_date, true);
    check_text(c.agency, "agency", 200, false);
    check_text(c.unit, "unit", 200, false);
    if (c.agency_oid) check_oid(c.agency_oid, "agencyOid", true);
    check_oid(c.jurisdiction_oid, "jurisdictionOid", false);
    if (c.email) check_email(c.email, true);
    check_phone(c.phone);
}

void validate_roles(std::vector<std::string>& roles) {
    for (const auto& r : roles)
        if (r != roles::kSuperAdmin && r != roles::kRegistrationAdmin && r != roles::kUser)
            bad_field("invalid-role", "roles",
                      "unknown role '" + r + "' (super-admin, registration-admin, user)");
    std::sort(roles.begin(), roles.end());
    roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
    if (roles.empty()) roles.emplace_back(roles::kUser);
}

AdminService::AdminService(SqliteAdminStore& store, AccountStore& accounts,
                           CredentialService& credentials, AuditLog& audit,
                           const Catalogue& catalogue, const Clock& clock, PortalCalendar calendar)
    : store_(store),
      accounts_(accounts),
      credentials_(credentials),
      audit_(audit),
      catalogue_(catalogue),
      clock_(clock),
      calendar_(calendar) {}

nlohmann::json AdminService::snapshot(const AdminAccount& a) {
    const Account& x = a.account;
    auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    return {{"nationalId", x.national_id},
            {"name", x.name},
            {"birthDate", opt(x.birth_date)},
            {"agency", opt(x.agency)},
            {"unit", opt(x.unit)},
            {"agencyOid", opt(x.agency_oid)},
            {"jurisdictionOid", opt(x.jurisdiction_oid)},
            {"email", opt(x.email)},
            {"phone", opt(x.phone)},
            {"roles", x.roles},
            {"identityTypes", a.identity_types},
            {"status", account_status_name(x.status)},
            {"statusReason", opt(x.status_reason)},
            {"lockedUntil", opt(x.locked_until)},
            {"failedPasswordAttempts", x.failed_password_attempts},
            {"initialPasswordDay", opt(x.initial_password_day)}};
}

AuditEntry AdminService::entry(const PortalUser& actor, std::string action,
                               const AdminAccount& target, const std::string& ip) const {
    AuditEntry e = account_audit_entry(clock_.now_unix(), actor.actor(), std::move(action),
                                       target.account, ip);
    e.before = snapshot(target);
    return e;
}

AdminAccount AdminService::load_in_scope(const PortalUser& admin, std::int64_t id) {
    auto a = store_.get(id);
    if (!a) {
        // Same answer as out-of-scope for registration administrators, so they cannot
        // probe which ids exist outside their agency.
        if (!admin.has_role(roles::kSuperAdmin))
            throw ServiceError(ErrorKind::Forbidden, "out-of-scope",
                               "this account is outside your administrative scope");
        not_found(id);
    }
    require_manage(admin, a->account);
    return std::move(*a);
}

void AdminService::check_identity_types(std::vector<std::string>& types) const {
    for (const auto& t : types)
        if (!catalogue_.has_identity_type(t))
            bad_field("unknown-identity-type", "identityTypes",
                      "identity type '" + t + "' is not in the catalogue");
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
}

AccountPage AdminService::list(const PortalUser& admin, const AccountFilter& filter,
                               std::size_t offset, std::size_t limit) {
    AccountPage page;
    for (auto& a : store_.find(filter)) {
        if (!can_manage(admin.account, a.account)) continue;
        if (page.total >= offset && page.accounts.size() < limit)
            page.accounts.push_back(std::move(a));
        ++page.total;
    }
    return page;
}

AdminAccount AdminService::get(const PortalUser& admin, std::int64_t id) {
    return load_in_scope(admin, id);
}

InitialPasswordResult AdminService::create(const PortalUser& admin, NewAccount req,
                                           const std::string& ip) {
    AccountProfile& p = req.profile;
    p.agency = blank_as_null(p.agency);
    p.unit = blank_as_null(p.unit);
    p.jurisdiction_oid = blank_as_null(p.jurisdiction_oid);
    p.phone = blank_as_null(p.phone);
    validate_new_profile(p);
    if (*p.birth_date > calendar_.today(clock_))
        bad_field("invalid-birth-date", "birthDate", "birthDate is in the future");
    check_identity_types(req.identity_types);
    if (req.roles) {
        if (!admin.has_role(roles::kSuperAdmin))
            throw FieldError(ErrorKind::Forbidden, "role-required", "roles",
                             "only the super administrator grants roles");
        validate_roles(*req.roles);
        p.roles = *req.roles;
    } else {
        p.roles = {std::string(roles::kUser)};
    }
    p.status = AccountStatus::Pending;
    // The new account must lie in the creator's own scope.
    Account candidate;
    static_cast<AccountProfile&>(candidate) = p;
    require_manage(admin, candidate);
    if (accounts_.account_by_national_id(p.national_id))
        throw FieldError(ErrorKind::Conflict, "account-exists", "nationalId",
                         "an account with this national ID exists");

    const std::string today = calendar_.today(clock_);
    AuditEntry e;
    e.at = clock_.now_unix();
    e.actor = admin.actor();
    e.action = "account.create";
    e.national_id = p.national_id;
    if (!ip.empty()) e.ip = ip;
    AdminAccount tmp{candidate, req.identity_types};
    tmp.account.initial_password_day = today;
    e.after = snapshot(tmp);
    AdminAccount created;
    try {
        created = store_.create(p, req.identity_types, e.at, admin.actor(), e);
    } catch (const StoreError& err) {
        if (err.kind() == StoreError::Kind::Conflict)
            throw FieldError(ErrorKind::Conflict, "account-exists", "nationalId",
                             "an account with this national ID exists");
        throw;
    }
    credentials_.set_initial_password(created.account.id, p.national_id, *p.birth_date, today);
    return {*store_.get(created.account.id), today};
}

AdminAccount AdminService::update(const PortalUser& admin, std::int64_t id,
                                  const ProfileChange& change, const std::string& ip) {
    AdminAccount before = load_in_scope(admin, id);
    validate_profile_change(change);
    if (change.empty())
        throw ServiceError(ErrorKind::BadRequest, "nothing-to-change",
                           "give at least one profile field to change");
    if (change.birth_date && *change.birth_date > calendar_.today(clock_))
        bad_field("invalid-birth-date", "birthDate", "birthDate is in the future");
    // The changed account must stay in the administrator's scope.
    Account after = before.account;
    auto apply = [](std::optional<std::string>& field, const std::optional<std::string>& v) {
        if (v) field = blank_as_null(v);
    };
    if (change.national_id) after.national_id = *change.national_id;
    if (change.name) after.name = *change.name;
    apply(after.birth_date, change.birth_date);
    apply(after.agency, change.agency);
    apply(after.unit, change.unit);
    apply(after.agency_oid, change.agency_oid);
    apply(after.jurisdiction_oid, change.jurisdiction_oid);
    apply(after.email, change.email);
    apply(after.phone, change.phone);
    require_manage(admin, after);
    if (change.national_id && *change.national_id != before.account.national_id &&
        accounts_.account_by_national_id(*change.national_id))
        throw FieldError(ErrorKind::Conflict, "account-exists", "nationalId",
                         "an account with this national ID exists");
    AuditEntry e = entry(admin, "account.update", before, ip);
    e.after = snapshot({after, before.identity_types});
    try {
        store_.update_profile(id, change, e.at, e);
    } catch (const StoreError& err) {
        if (err.kind() == StoreError::Kind::Conflict)
            throw FieldError(ErrorKind::Conflict, "account-exists", "nationalId",
                             "an account with this national ID exists");
        throw;
    }
    return *store_.get(id);
}

AdminAccount AdminService::set_identity_types(const PortalUser& admin, std::int64_t id,
                                              std::vector<std::string> types,
                                              const std::string& ip) {
    AdminAccount before = load_in_scope(admin, id);
    check_identity_types(types);
    AuditEntry e = entry(admin, "account.identity-types", before, ip);
    AdminAccount after = before;
    after.identity_types = types;
    e.after = snapshot(after);
    store_.set_identity_types(id, types, e.at, admin.actor(), e);
    return *store_.get(id);
}

AdminAccount AdminService::set_roles(const PortalUser& admin, std::int64_t id,
                                     std::vector<std::string> new_roles, const std::string& ip) {
    if (!admin.has_role(roles::kSuperAdmin))
        throw ServiceError(ErrorKind::Forbidden, "role-required",
                           "only the super administrator grants roles");
    AdminAccount before = load_in_scope(admin, id);
    validate_roles(new_roles);
    if (id == admin.account.id && !has(new_roles, roles::kSuperAdmin))
        throw ServiceError(ErrorKind::Conflict, "cannot-change-self",
                           "you cannot remove your own super-admin role");
    AuditEntry e = entry(admin, "account.roles", before, ip);
    AdminAccount after = before;
    after.account.roles = new_roles;
    e.after = snapshot(after);
    store_.set_roles(id, new_roles, e.at, e);
    return *store_.get(id);
}

AdminAccount AdminService::set_status(const PortalUser& admin, std::int64_t id,
                                      AccountStatus status, const std::string& reason,
                                      const std::string& ip) {
    AdminAccount before = load_in_scope(admin, id);
    if (status != AccountStatus::Active && status != AccountStatus::Disabled)
        bad_field("invalid-status", "status", "status must be active or disabled");
    if (status == AccountStatus::Disabled && id == admin.account.id)
        throw ServiceError(ErrorKind::Conflict, "cannot-change-self",
                           "you cannot disable your own account");
    if (status == AccountStatus::Disabled && reason.empty())
        bad_field("field-required", "reason", "give the reason for disabling the account");
    check_text(reason, "reason", 500, false);
    AccountStatus target = status;
    if (status == AccountStatus::Active && !before.account.activated_at &&
        accounts_.certificates_of(id).empty())
        target = AccountStatus::Pending;  // never activated: back to first login
    AuditEntry e =
        entry(admin, status == AccountStatus::Disabled ? "account.disable" : "account.enable",
              before, ip);
    AdminAccount after = before;
    after.account.status = target;
    after.account.status_reason = reason.empty() ? std::nullopt : std::optional(reason);
    e.after = snapshot(after);
    store_.set_status(id, target, after.account.status_reason, e.at, e);
    return *store_.get(id);
}

void AdminService::remove(const PortalUser& admin, std::int64_t id, const std::string& reason,
                          const std::string& ip) {
    AdminAccount before = load_in_scope(admin, id);
    if (id == admin.account.id)
        throw ServiceError(ErrorKind::Conflict, "cannot-change-self",
                           "you cannot delete your own account");
    if (reason.empty())
        bad_field("field-required", "reason", "give the reason for deleting the account");
    check_text(reason, "reason", 500, false);
    AuditEntry e = entry(admin, "account.delete", before, ip);
    e.after = {{"deleted", true}, {"reason", reason}};
    store_.remove(id, e);
}

AdminAccount AdminService::unlock(const PortalUser& admin, std::int64_t id, const std::string& ip) {
    AdminAccount before = load_in_scope(admin, id);
    credentials_.clear_lockout(id);
    AdminAccount after = *store_.get(id);
    AuditEntry e = entry(admin, "account.unlock", before, ip);
    e.after = snapshot(after);
    audit_.append(std::move(e));
    return after;
}

InitialPasswordResult AdminService::reopen(const PortalUser& admin, std::int64_t id,
                                           const std::string& ip) {
    AdminAccount before = load_in_scope(admin, id);
    if (before.account.status == AccountStatus::Disabled)
        throw ServiceError(ErrorKind::Conflict, "account-disabled",
                           "re-enable the account before re-opening its password");
    if (!before.account.birth_date)
        bad_field("birth-date-required", "birthDate",
                  "set the birth date first: the initial password is built from it");
    const std::string today = calendar_.today(clock_);
    credentials_.set_initial_password(id, before.account.national_id, *before.account.birth_date,
                                      today);
    AdminAccount after = *store_.get(id);
    AuditEntry e = entry(admin, "account.reopen", before, ip);
    e.after = snapshot(after);
    audit_.append(std::move(e));
    return {after, today};
}

std::vector<AuditEntry> AdminService::audit(const PortalUser& admin,
                                            std::optional<std::int64_t> account_id,
                                            std::size_t offset, std::size_t limit) {
    limit = std::clamp<std::size_t>(limit, 1, 500);
    if (account_id) {
        if (auto a = store_.get(*account_id)) {
            require_manage(admin, a->account);
        } else if (!admin.has_role(roles::kSuperAdmin)) {
            // Deleted (or never existed): its scope is unknown, so super-admin only.
            throw ServiceError(ErrorKind::Forbidden, "out-of-scope",
                               "this account is outside your administrative scope");
        }
        return audit_.list({account_id, std::nullopt, std::nullopt, limit, offset});
    }
    if (admin.has_role(roles::kSuperAdmin))
        return audit_.list({std::nullopt, std::nullopt, std::nullopt, limit, offset});
    // A registration administrator sees the rows of accounts currently in scope.
    std::set<std::int64_t> in_scope;
    for (const auto& a : store_.find({}))
        if (can_manage(admin.account, a.account)) in_scope.insert(a.account.id);
    std::vector<AuditEntry> out;
    std::size_t skipped = 0;
    constexpr std::size_t kBatch = 500;
    for (std::size_t pos = 0;; pos += kBatch) {
        auto batch = audit_.list({std::nullopt, std::nullopt, std::nullopt, kBatch, pos});
        for (auto& e : batch) {
            if (!e.account_id || !in_scope.count(*e.account_id)) continue;
            if (skipped < offset) {
                ++skipped;
                continue;
            }
            out.push_back(std::move(e));
            if (out.size() >= limit) return out;
        }
        if (batch.size() < kBatch) return out;
    }
}

std::vector<AdminAccount> AdminService::review(const PortalUser& admin) {
    std::vector<AdminAccount> out;
    for (auto& a : store_.find({}))
        if (can_manage(admin.account, a.account)) out.push_back(std::move(a));
    return out;
}

AdminAccount AdminService::own_account(const PortalUser& user) {
    auto a = store_.get(user.account.id);
    if (!a) not_found(user.account.id);
    return std::move(*a);
}

AdminAccount AdminService::update_own_contact(const PortalUser& user,
                                              const std::optional<std::string>& email,
                                              const std::optional<std::string>& phone,
                                              const std::string& ip) {
    ProfileChange change;
    change.email = email;
    change.phone = phone;
    if (change.empty())
        throw ServiceError(ErrorKind::BadRequest, "nothing-to-change",
                           "give email and/or phone to change");
    check_email(email, false);
    if (email && email->empty())
        bad_field("field-required", "email", "an e-mail address is needed for notices");
    check_phone(phone);
    AdminAccount before = own_account(user);
    AuditEntry e = entry(user, "account.profile", before, ip);
    AdminAccount after = before;
    if (email) after.account.email = *email;
    if (phone) after.account.phone = blank_as_null(phone);
    e.after = snapshot(after);
    store_.update_profile(user.account.id, change, e.at, e);
    return *store_.get(user.account.id);
}

}  // namespace pkibridge::server
