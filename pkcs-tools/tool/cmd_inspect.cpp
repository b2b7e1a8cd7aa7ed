// pkcs-tool inspect FILE: JSON description of a certificate (or bundle), CRL or CMS message.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/errors.hpp"
#if __has_include("pkibridge/pkcs/cms_describe.hpp")
#include "pkibridge/pkcs/cms_describe.hpp"
#define PKIBRIDGE_HAVE_CMS_DESCRIBE 1
#endif

namespace pkibridge::tool {
namespace {

using namespace pkibridge::pkcs;

nlohmann::json describe_cms_or_fail(ByteView data) {
#ifdef PKIBRIDGE_HAVE_CMS_DESCRIBE
    return describe_cms(data);
#else
    (void)data;
    throw PkcsError(ErrorCode::Unsupported, "CMS inspection not available in this build");
#endif
}

std::string first_pem_label(std::string_view text) {
    static constexpr std::string_view kBegin = "-----BEGIN ";
    auto at = text.find(kBegin);
    if (at == std::string_view::npos) return {};
    auto end = text.find("-----", at + kBegin.size());
    if (end == std::string_view::npos) return {};
    return std::string(text.substr(at + kBegin.size(), end - at - kBegin.size()));
}

nlohmann::json with_type(const char* type, nlohmann::json body) {
    nlohmann::json j = {{"type", type}};
    j.update(body);
    return j;
}

nlohmann::json describe_certificates(ByteView data) {
    auto certs = parse_certificates(data);
    if (certs.size() == 1) return with_type("certificate", certificate_to_json(certs.front()));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : certs) list.push_back(certificate_to_json(c));
    return {{"type", "certificates"}, {"certificates", std::move(list)}};
}

nlohmann::json describe_crls(ByteView data, std::size_t entries) {
    auto crls = parse_crls(data);
    if (crls.size() == 1) return with_type("crl", crl_to_json(crls.front(), entries));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : crls) list.push_back(crl_to_json(c, entries));
    return {{"type", "crls"}, {"crls", std::move(list)}};
}

nlohmann::json inspect(ByteView data, std::size_t entries) {
    std::string label =
        first_pem_label(to_string(data.first(std::min<std::size_t>(data.size(), 4096))));
    if (!label.empty()) {
        if (label == "CERTIFICATE" || label == "X509 CERTIFICATE")
            return describe_certificates(data);
        if (label == "X509 CRL") return describe_crls(data, entries);
        if (label == "CMS" || label == "PKCS7" || label == "PKCS #7 SIGNED DATA")
            return with_type("cms", describe_cms_or_fail(data));
        throw PkcsError(ErrorCode::Malformed,
                        "PEM block '" + label + "' is not a certificate, CRL or CMS message");
    }
    // DER or base64: try each kind, report every reason if none fits.
    std::string why;
    try {
        return with_type("certificate", certificate_to_json(Certificate::parse(data)));
    } catch (const PkcsError& e) {
        if (e.code() != ErrorCode::Malformed) throw;
        why += std::string("certificate: ") + e.what();
    }
    try {
        return with_type("crl", crl_to_json(Crl::parse(data), entries));
    } catch (const PkcsError& e) {
        if (e.code() != ErrorCode::Malformed) throw;
        why += std::string("; CRL: ") + e.what();
    }
    try {
        return with_type("cms", describe_cms_or_fail(data));
    } catch (const PkcsError& e) {
        if (e.code() != ErrorCode::Malformed) throw;
        why += std::string("; CMS: ") + e.what();
    }
    throw PkcsError(ErrorCode::Malformed, "not a certificate, CRL or CMS message (" + why + ")");
}

}  // namespace

void register_inspect_command(CLI::App& app, const GlobalOptions&, Action& action) {
    struct Args {
        std::string file;
        std::size_t entries = 10;
    };
    auto args = std::make_shared<Args>();
    auto* cmd =
        app.add_subcommand("inspect",
                           "Describe a certificate, certificate bundle, CRL or CMS message as JSON "
                           "(PEM, DER or base64; auto-detected)");
    cmd->add_option("FILE", args->file, "File to inspect ('-' for standard input)")->required();
    cmd->add_option("--entries", args->entries, "CRL: how many revoked entries to list")
        ->capture_default_str();
    cmd->callback([args, &action] {
        action = [args] {
            Bytes data;
            if (args->file == "-") {
                data.assign(std::istreambuf_iterator<char>(std::cin),
                            std::istreambuf_iterator<char>());
            } else {
                data = read_file(args->file);
            }
            try {
                std::cout << inspect(data, args->entries).dump(2) << "\n";
            } catch (const PkcsError& e) {
                throw PkcsError(e.code(),
                                (args->file == "-" ? "stdin" : args->file) + ": " + e.what());
            }
            return kExitOk;
        };
    });
}

}  // namespace pkibridge::tool
