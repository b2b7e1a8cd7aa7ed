// pkcs-tool sign: CMS SignedData with a software key (the same code path the native host
// uses with a card, through an ExternalSigner callback).
#include <openssl/pem.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::tool {
namespace {

using namespace pkibridge::pkcs;

struct SignArgs {
    std::string cert, key, chain, in, digest_hex, out, hash = "sha256", nonce_hex, card_serial;
    bool detached = false, pss = false, pem = false, json = false;
    std::optional<std::int64_t> signing_time;
};

// PEM (PKCS#8 or traditional) or DER private key, unencrypted.
EvpPkeyPtr load_private_key(const std::string& path) {
    Bytes data = read_file(path);
    BioPtr bio = memory_bio(data.data(), data.size());
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        const unsigned char* p = data.data();
        key.reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(data.size())));
    }
    secure_zero(data.data(), data.size());
    if (!key) throw_openssl(ErrorCode::Malformed, path + ": not an unencrypted private key");
    return key;
}

int run_sign(const SignArgs& a, bool json) {
    Certificate cert = Certificate::load(a.cert);
    CmsSignOptions options;
    options.hash = parse_hash_name(a.hash);
    options.detached = a.detached || !a.digest_hex.empty();
    if (a.pss) options.scheme = SignatureScheme::RsaPss;
    options.signing_time = a.signing_time;
    if (!a.nonce_hex.empty()) options.nonce = hex_decode(a.nonce_hex);
    if (!a.card_serial.empty()) options.card_serial = a.card_serial;
    if (!a.chain.empty()) options.chain = load_certificates(a.chain);
    ExternalSigner signer = software_signer(cert, load_private_key(a.key));

    Bytes cms;
    if (!a.digest_hex.empty()) {
        cms = cms_sign_digest(hex_decode(a.digest_hex), signer, options);
    } else {
        Bytes content = read_file(a.in);
        cms = cms_sign(content, signer, options);
    }
    if (a.pem) {
        std::string pem = cms_der_to_pem(cms);
        write_file(a.out, as_bytes(pem));
    } else {
        write_file(a.out, cms);
    }
    if (json) {
        nlohmann::json j = {{"out", a.out},
                            {"size", cms.size()},
                            {"detached", options.detached},
                            {"hash", std::string(hash_name(options.hash))},
                            {"format", a.pem ? "pem" : "der"}};
        std::cout << j.dump(2) << "\n";
    }
    return kExitOk;
}

}  // namespace

void register_sign_command(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto args = std::make_shared<SignArgs>();
    CLI::App* cmd = app.add_subcommand(
        "sign", "Create a CMS (PKCS#7) SignedData signature with a certificate and software key");
    cmd->add_option("--cert", args->cert, "Signer certificate (PEM/DER)")->required();
    cmd->add_option("--key", args->key, "Signer private key (PEM or DER, unencrypted)")->required();
    cmd->add_option("--chain", args->chain, "Extra certificates to embed (PEM bundle)");
    auto* in = cmd->add_option("--in", args->in, "File to sign");
    auto* digest = cmd->add_option("--digest", args->digest_hex,
                                   "Precomputed content hash (hex) instead of --in; implies "
                                   "--detached");
    in->excludes(digest);
    cmd->add_option("--out", args->out, "Output file (.p7s)")->required();
    cmd->add_flag("--detached", args->detached, "Leave the content out of the signature");
    cmd->add_option("--hash", args->hash, "sha256 (default), sha384 or sha512");
    cmd->add_flag("--pss", args->pss, "RSA-PSS instead of PKCS#1 v1.5 (RSA keys)");
    cmd->add_option("--nonce", args->nonce_hex, "PKCS#9 randomNonce attribute (hex)");
    cmd->add_option("--card-serial", args->card_serial,
                    "Card serial attribute 2.16.886.1.100.2.204 (PrintableString)");
    cmd->add_option("--signing-time", args->signing_time,
                    "signingTime (Unix seconds; default now)");
    cmd->add_flag("--pem", args->pem, "Write PEM instead of DER");
    cmd->add_flag("--json", args->json, "Print a JSON summary");
    cmd->callback([args, &global, &action, in, digest] {
        if (in->count() == 0 && digest->count() == 0) throw CLI::RequiredError("--in or --digest");
        action = [args, &global] { return run_sign(*args, global.json || args->json); };
    });
}

}  // namespace pkibridge::tool
