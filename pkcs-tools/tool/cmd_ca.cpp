// pkcs-tool ca init|issue|revoke|crl: the test GPKI hierarchy (see docs/pkcs-tool.md).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "time_arg.hpp"

namespace pkibridge::tool {
namespace {

using namespace pkibridge::pkcs;

const std::vector<std::string> kKeyChoices = {"rsa-2048", "rsa-4096", "ec-p256", "ec-p384"};

// "none" removes the extension; otherwise a comma-separated list of names.
std::optional<std::vector<std::string>> name_list(const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    std::vector<std::string> out;
    if (*value == "none") return out;
    std::size_t start = 0;
    while (start <= value->size()) {
        std::size_t comma = value->find(',', start);
        std::string item = value->substr(start, comma == std::string::npos ? comma : comma - start);
        if (item.empty())
            throw PkcsError(ErrorCode::InvalidArgument, "empty name in list '" + *value + "'");
        out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

nlohmann::json ca_summary(const TestCa& ca) {
    nlohmann::json cas = nlohmann::json::array();
    for (TestCaId id : kAllTestCas) {
        const Certificate& c = ca.certificate(id);
        cas.push_back({{"name", test_ca_name(id)},
                       {"subject", c.subject()},
                       {"file", ca.certificate_path(id).string()},
                       {"crlUrl", ca.crl_url(id)},
                       {"sha256", c.sha256_fingerprint()},
                       {"notAfter", format_rfc3339(c.not_after())}});
    }
    return {{"dir", ca.dir().string()},
            {"keySpec", key_spec_name(ca.key_spec())},
            {"crlBaseUrl", ca.crl_base_url()},
            {"root", ca.root_path().string()},
            {"intermediates", ca.intermediates_path().string()},
            {"cas", std::move(cas)}};
}

void register_init(CLI::App& ca, const GlobalOptions& global, Action& action) {
    struct Args {
        std::string dir;
        std::string key = "rsa-2048";
        std::string crl_base_url = TestCaInitOptions{}.crl_base_url;
        int days = 3650;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = ca.add_subcommand(
        "init",
        "Create a test hierarchy in DIR: root 'Test GRCA' and the MOICA, MOEACA, XCA and "
        "GCA test CAs");
    cmd->add_option("DIR", args->dir, "Directory for the CA state (created if missing)")
        ->required();
    cmd->add_option("--key", args->key, "Key type of the CA keys")
        ->check(CLI::IsMember(kKeyChoices))
        ->capture_default_str();
    cmd->add_option("--crl-base-url", args->crl_base_url,
                    "Base URL of the CRLs; certificates point at <URL>/<ca>.crl")
        ->capture_default_str();
    cmd->add_option("--days", args->days, "Lifetime of the CA certificates")->capture_default_str();
    cmd->callback([args, &global, &action] {
        action = [args, &global] {
            TestCaInitOptions options;
            options.key = parse_key_spec(args->key);
            options.crl_base_url = args->crl_base_url;
            options.days = args->days;
            TestCa ca = TestCa::init(args->dir, options);
            if (global.json) {
                std::cout << ca_summary(ca).dump(2) << "\n";
            } else {
                std::cout << "Test CA created in " << ca.dir().string() << "\n";
                for (TestCaId id : kAllTestCas)
                    std::cout << "  " << ca.certificate_path(id).string() << "  "
                              << ca.certificate(id).subject() << "\n";
            }
            return kExitOk;
        };
    });
}

void register_issue(CLI::App& ca, const GlobalOptions& global, Action& action) {
    struct Args {
        std::string dir, type, name, out, key = "ec-p256";
        std::optional<std::string> id, ubn, oid;
        int days = 365;
        std::optional<std::string> not_before, not_after;
        std::optional<std::string> sign_ku, auth_ku, sign_eku, auth_eku;
        bool no_gpki = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = ca.add_subcommand(
        "issue", "Issue a card-like pair (signing + authentication certificate) for a holder");
    cmd->add_option("DIR", args->dir, "Test CA directory")->required();
    cmd->add_option("--type", args->type,
                    "Holder type: person (MOICA), company (MOEACA), org (XCA), agency (GCA)")
        ->required()
        ->check(CLI::IsMember({"person", "company", "org", "agency"}));
    cmd->add_option("--name", args->name, "Holder name (subject CN, UTF-8)")->required();
    cmd->add_option("--id", args->id, "National ID (person), e.g. A123456789");
    cmd->add_option("--ubn", args->ubn, "Unified business number, 8 digits (company)");
    cmd->add_option("--oid", args->oid, "Organisation OID (org, agency)");
    cmd->add_option("--key", args->key, "Holder key type")
        ->check(CLI::IsMember(kKeyChoices))
        ->capture_default_str();
    auto* days =
        cmd->add_option("--days", args->days, "Validity from now, in days")->capture_default_str();
    auto* nb = cmd->add_option("--not-before", args->not_before,
                               "Exact notBefore (Unix seconds or RFC 3339)");
    auto* na = cmd->add_option("--not-after", args->not_after,
                               "Exact notAfter (Unix seconds or RFC 3339)");
    nb->needs(na);
    na->needs(nb);
    days->excludes(nb);
    cmd->add_option("--sign-key-usage", args->sign_ku,
                    "Replace the signing certificate's key usage: comma-separated names "
                    "(e.g. keyEncipherment) or 'none' (for negative tests)");
    cmd->add_option("--auth-key-usage", args->auth_ku,
                    "Replace the authentication certificate's key usage (names or 'none')");
    cmd->add_option("--sign-eku", args->sign_eku,
                    "Give the signing certificate an extended key usage (names/OIDs or 'none')");
    cmd->add_option("--auth-eku", args->auth_eku,
                    "Replace the authentication certificate's extended key usage (or 'none')");
    cmd->add_flag("--no-gpki", args->no_gpki, "Omit the GPKI subjectDirectoryAttributes");
    cmd->add_option("--out", args->out,
                    "Output directory: sign.pem sign.key auth.pem auth.key chain.pem")
        ->required();
    cmd->callback([args, &global, &action] {
        action = [args, &global] {
            TestCa ca = TestCa::open(args->dir);
            IssueOptions o;
            o.type = parse_holder_type(args->type);
            o.name = args->name;
            o.national_id = args->id;
            o.ubn = args->ubn;
            o.oid = args->oid;
            o.key = parse_key_spec(args->key);
            o.days = args->days;
            if (args->not_before)
                o.not_before = parse_unix_or_rfc3339(*args->not_before, "--not-before");
            if (args->not_after)
                o.not_after = parse_unix_or_rfc3339(*args->not_after, "--not-after");
            o.sign_key_usage = name_list(args->sign_ku);
            o.auth_key_usage = name_list(args->auth_ku);
            o.sign_eku = name_list(args->sign_eku);
            o.auth_eku = name_list(args->auth_eku);
            o.omit_gpki_attributes = args->no_gpki;
            IssuedPair pair = ca.issue(o);
            TestCa::write_pair(pair, args->out);
            if (global.json) {
                nlohmann::json j = {{"outDir", args->out},
                                    {"type", args->type},
                                    {"issuer", test_ca_name(issuing_ca_for(o.type))},
                                    {"holderNumber", pair.holder_number},
                                    {"sign", certificate_to_json(pair.sign.certificate)},
                                    {"auth", certificate_to_json(pair.auth.certificate)}};
                std::cout << j.dump(2) << "\n";
            } else {
                std::cout << "Issued by " << pair.issuing_ca.subject_common_name() << " to "
                          << pair.sign.certificate.subject() << "\n"
                          << "  sign serial " << pair.sign.certificate.serial_hex() << "\n"
                          << "  auth serial " << pair.auth.certificate.serial_hex() << "\n"
                          << "  files in " << args->out << "\n";
            }
            return kExitOk;
        };
    });
}

void register_revoke(CLI::App& ca, const GlobalOptions& global, Action& action) {
    struct Args {
        std::string dir, cert, reason = "unspecified";
        std::optional<std::string> at;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = ca.add_subcommand("revoke", "Record the revocation of a certificate issued here");
    cmd->add_option("DIR", args->dir, "Test CA directory")->required();
    cmd->add_option("CERT", args->cert, "Certificate to revoke (PEM or DER)")->required();
    cmd->add_option("--reason", args->reason,
                    "RFC 5280 reason: unspecified, keyCompromise, cACompromise, "
                    "affiliationChanged, superseded, cessationOfOperation, certificateHold, "
                    "privilegeWithdrawn, aACompromise, none")
        ->capture_default_str();
    cmd->add_option("--at", args->at, "Revocation time (Unix seconds or RFC 3339; default now)");
    cmd->callback([args, &global, &action] {
        action = [args, &global] {
            int reason = parse_crl_reason(args->reason);
            std::optional<std::int64_t> at;
            if (args->at) at = parse_unix_or_rfc3339(*args->at, "--at");
            TestCa ca = TestCa::open(args->dir);
            Certificate cert = Certificate::load(args->cert);
            ca.revoke(cert, reason, at);
            if (global.json)
                std::cout << nlohmann::json{{"serial", cert.serial_hex()},
                                            {"subject", cert.subject()},
                                            {"reason", crl_reason_name(reason)}}
                                 .dump(2)
                          << "\n";
            else
                std::cout << "Revoked " << cert.serial_hex() << " (" << cert.subject() << "), "
                          << crl_reason_name(reason) << "\n";
            return kExitOk;
        };
    });
}

void register_crl(CLI::App& ca, const GlobalOptions& global, Action& action) {
    struct Args {
        std::string dir, out, issuer = "all";
        std::size_t extra = 0;
        std::optional<std::string> this_update, next_update;
        int days = 7;
        bool der = false;
        std::optional<std::uint64_t> delta_base;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = ca.add_subcommand(
        "crl", "Issue CRLs (one per CA by default, as a PEM bundle); CRL numbers increase");
    cmd->add_option("DIR", args->dir, "Test CA directory")->required();
    cmd->add_option("--out", args->out, "Output file")->required();
    cmd->add_option("--issuer", args->issuer, "Which CA: root, moica, moeaca, xca, gca or all")
        ->check(CLI::IsMember({"root", "moica", "moeaca", "xca", "gca", "all"}))
        ->capture_default_str();
    cmd->add_option("--extra-revoked", args->extra,
                    "Pad each CRL with N random revoked serials (benchmarks)");
    cmd->add_option("--this-update", args->this_update,
                    "thisUpdate (Unix seconds or RFC 3339; default now)");
    auto* next = cmd->add_option("--next-update", args->next_update,
                                 "nextUpdate (in the past makes a stale CRL)");
    cmd->add_option("--days", args->days, "nextUpdate = thisUpdate + N days")
        ->capture_default_str()
        ->excludes(next);
    cmd->add_option("--delta-base", args->delta_base,
                    "Make delta CRLs against this base CRL number");
    cmd->add_flag("--der", args->der, "Write DER (needs a single --issuer)");
    cmd->callback([args, &global, &action] {
        action = [args, &global] {
            if (args->der && args->issuer == "all")
                throw PkcsError(ErrorCode::InvalidArgument,
                                "--der writes one CRL: choose a single --issuer");
            CrlOptions options;
            if (args->this_update)
                options.this_update = parse_unix_or_rfc3339(*args->this_update, "--this-update");
            if (args->next_update)
                options.next_update = parse_unix_or_rfc3339(*args->next_update, "--next-update");
            options.days = args->days;
            options.extra_revoked = args->extra;
            options.delta_base = args->delta_base;
            TestCa ca = TestCa::open(args->dir);
            std::vector<TestCaId> ids;
            if (args->issuer == "all")
                ids.assign(std::begin(kAllTestCas), std::end(kAllTestCas));
            else
                ids.push_back(parse_test_ca_name(args->issuer));
            std::string out;
            Bytes der;
            nlohmann::json summary = nlohmann::json::array();
            for (TestCaId id : ids) {
                der = ca.make_crl_der(id, options);
                Crl crl = Crl::from_der(der);
                if (!args->der) out += crl.pem();
                summary.push_back(crl_to_json(crl, 0));
            }
            if (args->der)
                write_file_atomic(args->out, der);
            else
                write_file_atomic(args->out, as_bytes(out));
            if (global.json)
                std::cout << nlohmann::json{{"out", args->out}, {"crls", summary}}.dump(2) << "\n";
            else
                for (const auto& s : summary)
                    std::cout << "CRL #" << s.value("number", "?") << " of "
                              << s["issuer"].get<std::string>() << ": " << s["entries"]
                              << " entries -> " << args->out << "\n";
            return kExitOk;
        };
    });
}

}  // namespace

void register_ca_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* ca =
        app.add_subcommand("ca", "Test GPKI hierarchy for tests and demos (never for real use)");
    ca->require_subcommand(1);
    register_init(*ca, global, action);
    register_issue(*ca, global, action);
    register_revoke(*ca, global, action);
    register_crl(*ca, global, action);
}

}  // namespace pkibridge::tool
