// TestCa::issue: a signing + authentication certificate pair like a real GPKI card holds.
#include <openssl/x509v3.h>

#include <algorithm>

#include "cert_builder.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/gpki_attributes.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "test_ca_state.hpp"
#include "x509_util.hpp"

namespace pkibridge::pkcs {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void invalid(const std::string& message) {
    throw PkcsError(ErrorCode::InvalidArgument, message);
}

const std::vector<std::string> kKeyUsageNames = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly"};

bool valid_name(std::string_view s) {
    return certdetail::is_valid_utf8(s) &&
           std::none_of(s.begin(), s.end(), [](char c) { return c >= 0 && c < 0x20; });
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

std::string key_usage_value(const std::vector<std::string>& names) {
    for (const auto& n : names)
        if (std::find(kKeyUsageNames.begin(), kKeyUsageNames.end(), n) == kKeyUsageNames.end())
            invalid("unknown key usage '" + n + "' (accepted: " + join(kKeyUsageNames) + ")");
    return "critical," + join(names);
}

std::string eku_value(const std::vector<std::string>& names) {
    for (const auto& n : names) {
        ASN1_OBJECT* obj = OBJ_txt2obj(n.c_str(), 0);
        bool ok = obj != nullptr;
        ASN1_OBJECT_free(obj);
        if (!ok) {
            drain_openssl_errors();
            invalid("unknown extended key usage '" + n +
                    "' (use OpenSSL names like clientAuth, emailProtection or a dotted OID)");
        }
    }
    return join(names);
}

// The identity attributes and validity the options ask for, checked.
struct Checked {
    GpkiAttributes gpki;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
};

Checked check_options(const IssueOptions& o) {
    if (o.name.empty()) invalid("--name must not be empty");
    if (!valid_name(o.name)) invalid("--name must be valid UTF-8 text without control characters");
    if (utf8_length(o.name) > 64) invalid("--name is longer than 64 characters");
    Checked c;
    const bool person = o.type == HolderType::Person;
    const bool company = o.type == HolderType::Company;
    const bool needs_oid = o.type == HolderType::Org || o.type == HolderType::Agency;
    const std::string type(holder_type_name(o.type));
    if (person != o.national_id.has_value())
        invalid(person ? "--id is required for --type person"
                       : "--id applies to --type person only (got --type " + type + ")");
    if (company != o.ubn.has_value())
        invalid(company ? "--ubn is required for --type company"
                        : "--ubn applies to --type company only (got --type " + type + ")");
    if (needs_oid != o.oid.has_value())
        invalid(needs_oid
                    ? "--oid is required for --type " + type
                    : "--oid applies to --type org and agency only (got --type " + type + ")");
    if (o.national_id) {
        validate_national_id(*o.national_id);
        c.gpki.id_last4 = o.national_id->substr(6);
    }
    if (o.ubn) {
        validate_business_number(*o.ubn);
        c.gpki.business_number = *o.ubn;
    }
    if (o.oid) {
        validate_oid(*o.oid);
        c.gpki.organisation_oid = *o.oid;
    }
    if (o.not_before.has_value() != o.not_after.has_value())
        invalid("--not-before and --not-after must be given together");
    if (o.not_before) {
        if (*o.not_after <= *o.not_before) invalid("--not-after must be later than --not-before");
        c.not_before = *o.not_before;
        c.not_after = *o.not_after;
    } else {
        if (o.days < 1 || o.days > 36500) invalid("--days must be between 1 and 36500");
        c.not_before = now_unix() - 300;
        c.not_after = c.not_before + 300 + std::int64_t{86400} * o.days;
    }
    return c;
}

std::string holder_number() {
    Bytes random = certdetail::random_bytes(16);
    std::string digits;
    for (std::uint8_t b : random) digits += static_cast<char>('0' + b % 10);
    return digits;
}

}  // namespace

IssuedPair TestCa::issue(const IssueOptions& options) {
    Checked checked = check_options(options);
    const TestCaId ca_id = issuing_ca_for(options.type);
    const State::Authority& ca = state_->ca(ca_id);
    const std::string number = holder_number();
    X509NamePtr subject =
        certdetail::make_name({{"C", "TW"}, {"CN", options.name}, {"serialNumber", number}});
    X509ExtensionPtr policies =
        certdetail::make_policies_extension({std::string(kTestPolicyAssuranceLevel3)});
    X509ExtensionPtr gpki;
    if (!options.omit_gpki_attributes) gpki = make_gpki_extension(checked.gpki);

    auto make = [&](const char* usage, const std::optional<std::vector<std::string>>& ku,
                    const std::vector<std::string>& default_ku,
                    const std::optional<std::vector<std::string>>& eku,
                    const std::vector<std::string>& default_eku) {
        EvpPkeyPtr key = generate_key(options.key);
        certdetail::CertSpec spec;
        spec.subject = subject.get();
        spec.subject_key = key.get();
        spec.issuer_cert = ca.cert->native();
        spec.issuer_key = ca.key.get();
        spec.serial = certdetail::random_serial();
        spec.not_before = checked.not_before;
        spec.not_after = checked.not_after;
        spec.extensions = {{NID_subject_key_identifier, "hash"},
                           {NID_authority_key_identifier, "keyid:always"}};
        const auto& ku_names = ku ? *ku : default_ku;
        if (!ku_names.empty())
            spec.extensions.push_back({NID_key_usage, key_usage_value(ku_names)});
        const auto& eku_names = eku ? *eku : default_eku;
        if (!eku_names.empty())
            spec.extensions.push_back({NID_ext_key_usage, eku_value(eku_names)});
        spec.raw_extensions.push_back(policies.get());
        spec.extensions.push_back({NID_crl_distribution_points, "URI:" + crl_url(ca_id)});
        if (gpki) spec.raw_extensions.push_back(gpki.get());
        IssuedCredential cred{Certificate(certdetail::build_certificate(spec)), std::move(key)};
        state_->data["issued"].push_back({{"ca", test_ca_name(ca_id)},
                                          {"serial", cred.certificate.serial_hex()},
                                          {"subject", cred.certificate.subject()},
                                          {"usage", usage},
                                          {"notAfter", checked.not_after}});
        return cred;
    };
    IssuedPair pair{make("sign", options.sign_key_usage, {"digitalSignature", "nonRepudiation"},
                         options.sign_eku, {}),
                    make("auth", options.auth_key_usage, {"digitalSignature", "keyEncipherment"},
                         options.auth_eku, {"clientAuth"}),
                    *ca.cert, number};
    state_->save();
    return pair;
}

void TestCa::write_pair(const IssuedPair& pair, const fs::path& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec)
        throw PkcsError(ErrorCode::Io, "cannot create " + out_dir.string() + ": " + ec.message());
    auto write_key = [&](const char* file, const IssuedCredential& cred) {
        std::string pem = cred.key_pem();
        write_file_atomic(out_dir / file, as_bytes(pem), true);
        secure_zero(pem.data(), pem.size());
    };
    write_file_atomic(out_dir / "sign.pem", as_bytes(pair.sign.certificate.pem()));
    write_key("sign.key", pair.sign);
    write_file_atomic(out_dir / "auth.pem", as_bytes(pair.auth.certificate.pem()));
    write_key("auth.key", pair.auth);
    write_file_atomic(out_dir / "chain.pem", as_bytes(pair.issuing_ca.pem()));
}

}  // namespace pkibridge::pkcs
