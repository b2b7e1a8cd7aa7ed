#include "cli/account_commands.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "core/errors.hpp"
#include "http/record_json.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/account_service.hpp"
#include "services/admin/admin_service.hpp"
#include "services/admin/catalogue.hpp"
#include "services/auth/credential_service.hpp"
#include "services/portal_services.hpp"
#include "store/portal/admin_store.hpp"
#include "store/portal/credential_store.hpp"
#include "store/sqlite_account_store.hpp"

namespace pkibridge::server {

namespace {

struct CommonOptions {
    std::string db;
    std::string config;
};

struct AddOptions {
    CommonOptions common;
    AccountProfile profile;
    std::string status = "active";
    std::string cert;
    bool force = false;
    bool json = false;
    std::vector<std::string> identity_types;
};

std::unique_ptr<AccountStore> open_store(const CommonOptions& o) {
    std::filesystem::path path;
    int busy = 5000;
    if (!o.db.empty()) {
        path = o.db;
    } else if (!o.config.empty()) {
        auto cfg = load_config_file(o.config);
        path = cfg.database.path;
        busy = cfg.database.busy_timeout_ms;
    } else {
        throw ConfigError("give --db FILE (or --config FILE)");
    }
    return std::make_unique<SqliteAccountStore>(path, SqliteStoreOptions{busy, false, 1});
}

nlohmann::json account_json(const Account& a, const std::vector<RegisteredCertificate>& certs) {
    nlohmann::json jc = nlohmann::json::array();
    for (const auto& c : certs) jc.push_back(certificate_json(c));
    nlohmann::json j = server::account_json(a);  // the shared members, then the CLI's own
    j["lastLoginAt"] = optional_time_json(a.last_login_at);
    j["certificates"] = std::move(jc);
    return j;
}

// Runs an account command body, mapping errors to exit codes and messages on stderr.
int guarded(const std::function<void()>& body) {
    try {
        body();
        return 0;
    } catch (const ServiceError& e) {
        std::cerr << "error: " << e.what() << " (" << e.code() << ")\n";
        return e.kind() == ErrorKind::BadRequest ? 2 : e.kind() == ErrorKind::Internal ? 3 : 1;
    } catch (const StoreError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return e.kind() == StoreError::Kind::Conflict || e.kind() == StoreError::Kind::NotFound ? 1
                                                                                                : 3;
    } catch (const ConfigError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const pkcs::PkcsError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return e.code() == pkcs::ErrorCode::Internal || e.code() == pkcs::ErrorCode::Crypto ? 3 : 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 3;
    }
}

void add_common(CLI::App* cmd, CommonOptions& o) {
    cmd->add_option("--db", o.db, "SQLite database file");
    cmd->add_option("--config", o.config, "read the database location from this configuration");
}

template <class T>
void optional_option(CLI::App* cmd, const std::string& name, std::optional<T>& target,
                     const std::string& help) {
    cmd->add_option_function<T>(
        name, [&target](const T& v) { target = v; }, help);
}

// Identity types from the portal catalogue (the configured one with --config, else the
// installed / source-tree copy), written with an audit row (actor "cli").
void check_identity_types(const CommonOptions& o, std::vector<std::string>& types) {
    std::filesystem::path configured;
    if (!o.config.empty()) configured = load_config_file(o.config).portal.catalogue;
    const Catalogue catalogue = Catalogue::load(locate_catalogue(configured));
    for (const auto& t : types)
        if (!catalogue.has_identity_type(t))
            throw ServiceError(ErrorKind::BadRequest, "unknown-identity-type",
                               "identity type '" + t + "' is not in the catalogue");
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
}

void grant_identity_types(AccountStore& store, const CommonOptions& o, std::int64_t id,
                          std::vector<std::string> types) {
    check_identity_types(o, types);
    auto* sqlite_store = dynamic_cast<SqliteAccountStore*>(&store);
    if (!sqlite_store) throw ConfigError("identity types need the SQLite account store");
    SqliteAdminStore admin(*sqlite_store);
    auto before = admin.get(id);
    if (!before) throw StoreError(StoreError::Kind::NotFound, "no account " + std::to_string(id));
    AuditEntry e = account_audit_entry(static_cast<std::int64_t>(std::time(nullptr)), "cli",
                                       "account.identity-types", before->account);
    e.before = AdminService::snapshot(*before);
    AdminAccount after = *before;
    after.identity_types = types;
    e.after = AdminService::snapshot(after);
    admin.set_identity_types(id, types, e.at, "cli", e);
}

// A pending account made on the command line (e.g. the first super administrator, before
// anyone can log in to the administration pages) gets the initial password for today,
// exactly like an account an administrator creates, so its holder activates it through
// the portal. Returns the portal day on which the initial password works.
std::string give_initial_password(AccountStore& store, const CommonOptions& o, const Account& a) {
    auto* sqlite_store = dynamic_cast<SqliteAccountStore*>(&store);
    if (!sqlite_store) throw ConfigError("initial passwords need the SQLite account store");
    const ServerConfig config = o.config.empty() ? ServerConfig{} : load_config_file(o.config);
    SystemClock clock;
    PortalServices portal{PortalCalendar(config.portal.utc_offset_minutes)};
    CredentialStore credential_store(*sqlite_store);
    CredentialService credentials(credential_store, config.portal, clock, portal);
    const std::string day = portal.calendar.today(clock);
    credentials.set_initial_password(a.id, a.national_id, *a.birth_date, day);
    return day;
}

// The portal's audit trail also records accounts made on the command line.
void audit_cli_create(AccountStore& store, std::int64_t id) {
    auto* sqlite_store = dynamic_cast<SqliteAccountStore*>(&store);
    if (!sqlite_store) return;
    SqliteAdminStore admin(*sqlite_store);
    auto created = admin.get(id);
    if (!created) return;
    AuditEntry e = account_audit_entry(static_cast<std::int64_t>(std::time(nullptr)), "cli",
                                       "account.create", created->account);
    e.after = AdminService::snapshot(*created);
    admin.append_audit(std::move(e));
}

}  // namespace

void add_account_commands(CLI::App& app, int& result) {
    auto* account = app.add_subcommand("account", "manage portal accounts in the database");
    account->require_subcommand(1);

    // account add
    auto add = std::make_shared<AddOptions>();
    auto* add_cmd = account->add_subcommand(
        "add",
        "create an account (active by default; --status pending with --birth-date gives it "
        "the initial password for today, to activate through the portal)");
    add_common(add_cmd, add->common);
    add_cmd->add_option("--id", add->profile.national_id, "national ID number, e.g. A123456789")
        ->required();
    add_cmd->add_option("--name", add->profile.name, "the holder's name")->required();
    add_cmd->add_option("--status", add->status, "pending, active, disabled or locked")
        ->check(CLI::IsMember({"pending", "active", "disabled", "locked"}));
    add_cmd->add_option("--cert", add->cert, "register this certificate (PEM or DER) too");
    optional_option(add_cmd, "--birth-date", add->profile.birth_date, "YYYY-MM-DD");
    optional_option(add_cmd, "--agency", add->profile.agency, "agency name");
    optional_option(add_cmd, "--unit", add->profile.unit, "unit within the agency");
    optional_option(add_cmd, "--agency-oid", add->profile.agency_oid, "agency OID");
    optional_option(add_cmd, "--jurisdiction-oid", add->profile.jurisdiction_oid,
                    "jurisdiction OID");
    optional_option(add_cmd, "--email", add->profile.email, "e-mail address");
    optional_option(add_cmd, "--phone", add->profile.phone, "phone number");
    add_cmd->add_option("--role", add->profile.roles, "a role (repeatable)")
        ->allow_extra_args(false);
    add_cmd->add_flag("--force", add->force, "register a certificate whose ID digits differ");
    add_cmd
        ->add_option("--identity-type", add->identity_types,
                     "grant an identity type from the portal catalogue (repeatable)")
        ->allow_extra_args(false);
    add_cmd->add_flag("--json", add->json, "print the account as JSON");
    add_cmd->callback([add, &result] {
        result = guarded([&] {
            add->profile.status = parse_account_status(add->status);
            AccountService::validate_profile(add->profile);
            std::optional<pkcs::Certificate> cert;
            if (!add->cert.empty()) cert = pkcs::Certificate::load(add->cert);
            auto store = open_store(add->common);
            for (auto& r : add->profile.roles) {
                if (r != "super-admin" && r != "registration-admin" && r != "user")
                    throw ServiceError(
                        ErrorKind::BadRequest, "invalid-role",
                        "unknown role '" + r + "' (super-admin, registration-admin, user)");
            }
            check_identity_types(add->common, add->identity_types);  // before creating
            Account a = AccountService(*store).create(add->profile, cert, add->force, "cli");
            if (!add->identity_types.empty())
                grant_identity_types(*store, add->common, a.id, add->identity_types);
            std::optional<std::string> initial_day;
            if (a.status == AccountStatus::Pending && a.birth_date)
                initial_day = give_initial_password(*store, add->common, a);
            audit_cli_create(*store, a.id);
            if (add->json) {
                std::cout << account_json(a, store->certificates_of(a.id)).dump(2) << "\n";
            } else {
                std::cout << "created account " << a.id << " " << a.national_id << " ("
                          << account_status_name(a.status) << ")"
                          << (cert ? ", certificate " + cert->sha256_fingerprint() : "") << "\n";
                if (initial_day) {
                    std::cout << "initial password (\"MmDd\" + birth MMDD + the ID's last four) "
                                 "works on "
                              << *initial_day << " only\n";
                }
            }
        });
    });

    // account register-cert
    struct RegisterOptions {
        CommonOptions common;
        std::string id;
        std::string cert;
        bool force = false;
    };
    auto reg = std::make_shared<RegisterOptions>();
    auto* reg_cmd =
        account->add_subcommand("register-cert", "register a certificate to an existing account");
    add_common(reg_cmd, reg->common);
    reg_cmd->add_option("--id", reg->id, "national ID number of the account")->required();
    reg_cmd->add_option("--cert", reg->cert, "certificate file (PEM or DER)")->required();
    reg_cmd->add_flag("--force", reg->force, "register even if the ID digits differ");
    reg_cmd->callback([reg, &result] {
        result = guarded([&] {
            auto cert = pkcs::Certificate::load(reg->cert);
            auto store = open_store(reg->common);
            AccountService(*store).register_certificate(reg->id, cert, reg->force, "cli");
            std::cout << "registered " << cert.sha256_fingerprint() << " to " << reg->id << "\n";
        });
    });

    // account set-status
    struct StatusOptions {
        CommonOptions common;
        std::string id;
        std::string status;
    };
    auto st = std::make_shared<StatusOptions>();
    auto* st_cmd = account->add_subcommand("set-status", "activate, disable or lock an account");
    add_common(st_cmd, st->common);
    st_cmd->add_option("--id", st->id, "national ID number of the account")->required();
    st_cmd->add_option("--status", st->status, "pending, active, disabled or locked")
        ->required()
        ->check(CLI::IsMember({"pending", "active", "disabled", "locked"}));
    st_cmd->callback([st, &result] {
        result = guarded([&] {
            auto store = open_store(st->common);
            auto a = store->account_by_national_id(st->id);
            if (!a) throw StoreError(StoreError::Kind::NotFound, "no account " + st->id);
            store->set_account_status(a->id, parse_account_status(st->status), "cli");
            std::cout << st->id << " is now " << st->status << "\n";
        });
    });

    // account grant
    struct GrantOptions {
        CommonOptions common;
        std::string id;
        std::vector<std::string> identity_types;
    };
    auto gr = std::make_shared<GrantOptions>();
    auto* gr_cmd = account->add_subcommand(
        "grant", "set the account's identity types (from the portal catalogue)");
    add_common(gr_cmd, gr->common);
    gr_cmd->add_option("--id", gr->id, "national ID number of the account")->required();
    gr_cmd
        ->add_option("--identity-type", gr->identity_types,
                     "identity type (repeatable; none clears them all)")
        ->allow_extra_args(false);
    gr_cmd->callback([gr, &result] {
        result = guarded([&] {
            auto store = open_store(gr->common);
            auto a = store->account_by_national_id(gr->id);
            if (!a) throw StoreError(StoreError::Kind::NotFound, "no account " + gr->id);
            grant_identity_types(*store, gr->common, a->id, gr->identity_types);
            std::cout << gr->id << " now holds " << gr->identity_types.size()
                      << " identity type(s)\n";
        });
    });

    // account list
    struct ListOptions {
        CommonOptions common;
        bool json = false;
        std::size_t limit = 1000;
        std::size_t offset = 0;
    };
    auto ls = std::make_shared<ListOptions>();
    auto* ls_cmd = account->add_subcommand("list", "list accounts");
    add_common(ls_cmd, ls->common);
    ls_cmd->add_flag("--json", ls->json, "JSON output");
    ls_cmd->add_option("--limit", ls->limit, "at most this many accounts (default 1000)");
    ls_cmd->add_option("--offset", ls->offset, "skip this many accounts");
    ls_cmd->callback([ls, &result] {
        result = guarded([&] {
            auto store = open_store(ls->common);
            auto accounts = store->list_accounts(ls->limit, ls->offset);
            if (ls->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& a : accounts)
                    out.push_back(account_json(a, store->certificates_of(a.id)));
                std::cout << out.dump(2) << "\n";
                return;
            }
            for (const auto& a : accounts) {
                auto certs = store->certificates_of(a.id);
                std::cout << a.id << "\t" << a.national_id << "\t" << a.name << "\t"
                          << account_status_name(a.status) << "\t" << certs.size()
                          << " certificate(s)\n";
            }
            std::cout << store->count_accounts() << " account(s)\n";
        });
    });
}

}  // namespace pkibridge::server
