// pkibridge-test-mint-token: prints a pkibridge-auth:1 login token (JSON) signed with a
// software key, as the native host would make it, with options to tamper. Test-only.
#include <CLI/CLI.hpp>

#include <iostream>

#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "token_mint.hpp"

using namespace pkibridge;

int main(int argc, char** argv) {
    CLI::App app{"Mint a pkibridge-auth:1 login token for tests"};
    std::string cert_path, key_path, token_cert_path, chain_path;
    testing::MintOptions o;
    std::string issued_at, tamper, raw_content;
    app.add_option("--cert", cert_path, "signer certificate (PEM)")->required();
    app.add_option("--key", key_path, "signer private key (PEM)")->required();
    app.add_option("--origin", o.origin, "origin to name")->required();
    app.add_option("--nonce", o.nonce, "challenge nonce")->required();
    app.add_option("--issued-at", issued_at, "RFC 3339 time (default now)");
    app.add_option("--format", o.token_format, "token format field");
    app.add_option("--content-format", o.content_format, "signed content format field");
    app.add_option("--raw-content", raw_content, "sign exactly this text as content");
    app.add_option("--tamper", tamper, "content or signature")
        ->check(CLI::IsMember({"content", "signature"}));
    app.add_option("--token-cert", token_cert_path, "certificate to put in the token instead");
    app.add_option("--chain", chain_path, "certificates to embed in the CMS (PEM)");
    CLI11_PARSE(app, argc, argv);
    try {
        if (!issued_at.empty()) o.issued_at = issued_at;
        if (!tamper.empty()) o.tamper = tamper;
        if (!raw_content.empty()) o.raw_content = raw_content;
        if (!token_cert_path.empty())
            o.token_certificate = pkcs::Certificate::load(token_cert_path);
        if (!chain_path.empty()) o.chain = pkcs::load_certificates(chain_path);
        auto signer = pkcs::software_signer(pkcs::Certificate::load(cert_path),
                                            testing::load_private_key(key_path));
        std::cout << testing::mint_token(signer, o).dump() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "mint-token: " << e.what() << "\n";
        return 2;
    }
}
