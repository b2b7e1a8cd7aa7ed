// pkcs-tool verify (CMS signatures) and verify-cert (certificate paths).
//
// Revocation: with at least one --crl, every certificate below the trust anchor needs a
// usable CRL (missing -> crl-missing); --no-revocation turns that requirement off (given CRLs
// are still consulted). Without --crl nothing is checked unless --require-revocation.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/path_validation.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "pkibridge/pkcs/verify_report.hpp"

namespace pkibridge::tool {
namespace {

using namespace pkibridge::pkcs;

struct TrustArgs {
    std::vector<std::string> trust, untrusted, crls, eku;
    std::string at, key_usage, policy_set;
    bool no_revocation = false, require_revocation = false, json = false;
    bool explicit_policy = false, inhibit_mapping = false, inhibit_any = false, lax = false;
    int max_depth = 8;
    std::int64_t crl_grace = 0;
};

struct VerifyArgs {
    TrustArgs trust;
    std::string content, content_out, signature;
};

struct VerifyCertArgs {
    TrustArgs trust;
    std::string leaf;
};

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
        if (c == ',' || c == ' ') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else {
            item += c;
        }
    }
    return out;
}

// Unix seconds, or an RFC 3339 time.
std::int64_t parse_time(const std::string& text) {
    if (text.find('-') != std::string::npos && text.size() > 10) return parse_rfc3339(text);
    try {
        std::size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw PkcsError(ErrorCode::InvalidArgument,
                    "--at: '" + text + "' is neither Unix seconds nor an RFC 3339 time");
}

void add_trust_options(CLI::App* cmd, TrustArgs& a, bool signature) {
    cmd->add_option("--trust", a.trust, "Trust anchors (PEM bundle; each one is trusted)")
        ->required();
    cmd->add_option("--untrusted", a.untrusted, "Untrusted intermediate certificates (PEM)");
    cmd->add_option("--crl", a.crls,
                    "CRL file (PEM bundle or DER); repeatable. Makes revocation required");
    cmd->add_option("--at", a.at, "Validation time: Unix seconds or RFC 3339 (default now)");
    cmd->add_flag("--no-revocation", a.no_revocation,
                  "Do not require a CRL for every certificate (given CRLs still apply)");
    cmd->add_flag("--require-revocation", a.require_revocation,
                  "Require a usable CRL for every certificate even without --crl");
    cmd->add_option("--crl-grace", a.crl_grace, "Seconds a CRL stays usable after nextUpdate");
    cmd->add_option("--eku", a.eku, "Required extended key usage (clientAuth, serverAuth, OID)");
    cmd->add_option("--key-usage", a.key_usage,
                    signature ? "Leaf key usage, any of (default digitalSignature,nonRepudiation; "
                                "'any' for no check)"
                              : "Leaf key usage, any of (comma-separated; default no check)");
    cmd->add_option("--max-depth", a.max_depth, "Maximum number of intermediate CAs (default 8)");
    cmd->add_option("--policy-set", a.policy_set, "Acceptable certificate policies (OID,...)");
    cmd->add_flag("--explicit-policy", a.explicit_policy, "Require an explicit policy");
    cmd->add_flag("--inhibit-policy-mapping", a.inhibit_mapping, "Inhibit policy mapping");
    cmd->add_flag("--inhibit-any-policy", a.inhibit_any, "Inhibit anyPolicy");
    cmd->add_flag("--no-strict", a.lax, "Do not apply OpenSSL's X509_V_FLAG_X509_STRICT checks");
    cmd->add_flag("--json", a.json, "Print the full report as JSON");
}

TrustStore load_trust(const TrustArgs& a) {
    TrustStore trust;
    for (const auto& path : a.trust)
        for (auto& c : load_certificates(path)) trust.anchors.push_back(std::move(c));
    for (const auto& path : a.untrusted)
        for (auto& c : load_certificates(path)) trust.intermediates.push_back(std::move(c));
    if (trust.anchors.empty())
        throw PkcsError(ErrorCode::InvalidArgument, "--trust: no certificates found");
    return trust;
}

ValidationOptions load_options(const TrustArgs& a, bool signature) {
    ValidationOptions o;
    if (!a.at.empty()) o.at = parse_time(a.at);
    std::vector<Crl> crls;
    for (const auto& path : a.crls)
        for (auto& crl : load_crls(path)) crls.push_back(std::move(crl));
    if (!crls.empty()) o.crls = CrlSet::build(std::move(crls));
    o.require_revocation = (!a.crls.empty() || a.require_revocation) && !a.no_revocation;
    o.crl_grace_seconds = a.crl_grace;
    o.required_eku = a.eku;
    if (a.key_usage.empty()) {
        if (signature) o.key_usage_any = {"digitalSignature", "nonRepudiation"};
    } else if (a.key_usage != "any") {
        o.key_usage_any = split_list(a.key_usage);
    }
    if (a.max_depth < 0) throw PkcsError(ErrorCode::InvalidArgument, "--max-depth must be >= 0");
    o.max_depth = a.max_depth;
    o.policy_set = split_list(a.policy_set);
    o.explicit_policy = a.explicit_policy;
    o.inhibit_policy_mapping = a.inhibit_mapping;
    o.inhibit_any_policy = a.inhibit_any;
    o.strict = !a.lax;
    return o;
}

// Input errors (the CMS could not be read at all) are exit 2, verdicts exit 0 or 1.
int report(ValidationStatus status, const std::string& message, const nlohmann::json& json,
           bool as_json) {
    if (as_json)
        std::cout << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (status == ValidationStatus::Valid) {
        if (!as_json) std::cout << "valid: " << message << "\n";
        return kExitOk;
    }
    const std::string reason(validation_status_name(status));
    if (status == ValidationStatus::Malformed || status == ValidationStatus::ContentMissing) {
        std::cerr << "pkcs-tool: error [" << reason << "]: " << message << "\n";
        return kExitUsage;
    }
    if (status == ValidationStatus::InternalError) {
        std::cerr << "pkcs-tool: internal error: " << message << "\n";
        return kExitInternal;
    }
    std::cerr << "rejected: " << reason << ": " << message << "\n";
    return kExitRejected;
}

int run_verify(const VerifyArgs& a, bool json) {
    TrustStore trust = load_trust(a.trust);
    ValidationOptions options = load_options(a.trust, true);
    Bytes cms = read_file(a.signature);
    std::optional<Bytes> content;
    if (!a.content.empty()) content = read_file(a.content);
    CmsVerifyResult result =
        verify_cms(cms, content ? std::optional<ByteView>(*content) : std::nullopt, trust, options);
    if (!a.content_out.empty() && result.ok() && result.signature.content)
        write_file(a.content_out, *result.signature.content);
    std::string message = result.message;
    if (result.ok() && result.signature.signer)
        message = "signed by '" + result.signature.signer->subject() + "'; " + message;
    return report(result.status, message, verify_report_json(result), json);
}

int run_verify_cert(const VerifyCertArgs& a, bool json) {
    TrustStore trust = load_trust(a.trust);
    ValidationOptions options = load_options(a.trust, false);
    std::vector<Certificate> leaf_file = load_certificates(a.leaf);
    if (leaf_file.empty()) throw PkcsError(ErrorCode::Malformed, a.leaf + ": no certificate");
    // Certificates after the first one in the leaf file help build the path (untrusted).
    Certificate leaf = leaf_file.front();
    leaf_file.erase(leaf_file.begin());
    PathResult result = validate_path(leaf, leaf_file, trust, options);
    return report(result.status, result.message, path_report_json(result), json);
}

}  // namespace

void register_verify_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto v = std::make_shared<VerifyArgs>();
    CLI::App* verify = app.add_subcommand(
        "verify",
        "Verify a CMS (PKCS#7) signature: signature, path, revocation, validity, key "
        "usage. Exit 0 valid, 1 rejected, 2 input error");
    add_trust_options(verify, v->trust, true);
    verify->add_option("--content", v->content, "Signed content for a detached signature");
    verify->add_option("--out-content", v->content_out, "Write the signed content here if valid");
    verify->add_option("signature", v->signature, "Signature file (DER, PEM or base64)")
        ->required();
    verify->callback([v, &global, &action] {
        action = [v, &global] { return run_verify(*v, global.json || v->trust.json); };
    });

    auto c = std::make_shared<VerifyCertArgs>();
    CLI::App* verify_cert =
        app.add_subcommand("verify-cert",
                           "Validate a certificate path (RFC 5280) with CRLs. Exit 0 valid, 1 "
                           "rejected, 2 input error");
    add_trust_options(verify_cert, c->trust, false);
    verify_cert->add_option("leaf", c->leaf, "Certificate to validate (PEM/DER)")->required();
    verify_cert->callback([c, &global, &action] {
        action = [c, &global] { return run_verify_cert(*c, global.json || c->trust.json); };
    });
}

}  // namespace pkibridge::tool
