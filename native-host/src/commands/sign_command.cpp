// sign: a CMS SignedData (attached or detached) or a raw signature, made by the card.
#include "card/card_error.hpp"
#include "commands/ca_chain.hpp"
#include "commands/commands.hpp"
#include "commands/key_lookup.hpp"
#include "commands/pin_flow.hpp"
#include "core/log.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "protocol/arguments.hpp"

namespace pkibridge::host::commands {
namespace {

using protocol::SignFormat;

std::string_view format_name(SignFormat f) {
    switch (f) {
        case SignFormat::CmsAttached:
            return "cms-attached";
        case SignFormat::CmsDetached:
            return "cms-detached";
        case SignFormat::Raw:
            return "raw";
    }
    return "?";
}

pkcs::SignatureScheme choose_scheme(const protocol::SignArguments& args,
                                    const pkcs::Certificate& cert) {
    try {
        if (!args.scheme) return pkcs::default_scheme(cert.public_key());
        pkcs::check_scheme_fits_key(*args.scheme, cert.public_key());
        return *args.scheme;
    } catch (const pkcs::PkcsError& e) {
        throw CommandError(CommandFailure::BadRequest, e.what());
    }
}

}  // namespace

nlohmann::json run_sign(const CommandContext& context) {
    // Before any card access. The calling extension's own pages (its self-test) may sign too.
    const std::string origin = require_allowed_origin(context, /*allow_caller_extension=*/true);
    const protocol::SignArguments args =
        protocol::parse_sign_arguments(context.request.arguments, context.request.id);

    const FoundKey found = find_key_by_id(context, args.certificate_id);
    const pkcs::Certificate& cert = found.key.certificate;
    const pkcs::SignatureScheme scheme = choose_scheme(args, cert);

    std::optional<std::string> card_serial;
    if (args.include_card_serial) {
        card_serial = found.token->card_serial();
        if (!card_serial)
            throw CommandError(CommandFailure::CardError,
                               "the card has no serial number to include");
    }
    std::vector<pkcs::Certificate> chain;
    if (args.include_chain) chain = issuer_chain(cert, context.config.ca_certificates);

    log::info("sign for " + origin + " with " + found.certificate_id + " (" +
              std::string(format_name(args.format)) + ")");
    nlohmann::json result = {{"format", format_name(args.format)},
                             {"certificateId", found.certificate_id},
                             {"certificate", pkcs::base64_encode(cert.der())},
                             {"hashAlgorithm", pkcs::hash_name(args.hash_algorithm)},
                             {"signatureScheme", pkcs::scheme_name(scheme)}};
    if (card_serial) result["cardSerial"] = *card_serial;

    with_pin(context, found, [&](card::TokenSession& session) {
        if (args.format == SignFormat::Raw) {
            const pkcs::Bytes digest =
                args.hash ? *args.hash : pkcs::digest(args.hash_algorithm, *args.data);
            const pkcs::Bytes signature =
                session.sign_digest(found.key, digest, args.hash_algorithm, scheme);
            // A card that signs with another key than its certificate's must not go unnoticed.
            if (!pkcs::raw_verify(cert.public_key(), digest, args.hash_algorithm, scheme,
                                  signature))
                throw CommandError(CommandFailure::CardError,
                                   "the card's signature does not match its certificate");
            result["signature"] = pkcs::base64_encode(signature);
            return;
        }
        pkcs::ExternalSigner signer{
            cert, [&](pkcs::ByteView digest, pkcs::HashAlgorithm alg, pkcs::SignatureScheme s) {
                return session.sign_digest(found.key, digest, alg, s);
            }};
        pkcs::CmsSignOptions options;
        options.hash = args.hash_algorithm;
        options.detached = args.format == SignFormat::CmsDetached;
        options.scheme = scheme;
        options.nonce = args.nonce;
        options.card_serial = card_serial;
        options.chain = chain;
        const pkcs::Bytes cms = args.hash ? pkcs::cms_sign_digest(*args.hash, signer, options)
                                          : pkcs::cms_sign(*args.data, signer, options);
        result["pkcs7"] = pkcs::base64_encode(cms);
    });
    return result;
}

}  // namespace pkibridge::host::commands
