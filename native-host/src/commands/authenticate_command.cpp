// authenticate: an origin-bound login token. The card signs (CMS, attached) the JSON
// {"format","origin","nonce","issuedAt"}; the origin comes from the browser via the
// extension, so a token made for one site is useless at another.
#include "commands/commands.hpp"
#include "commands/key_lookup.hpp"
#include "commands/pin_flow.hpp"
#include "core/log.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "protocol/arguments.hpp"

namespace pkibridge::host::commands {

inline constexpr const char* kAuthFormat = "pkibridge-auth:1";

nlohmann::json run_authenticate(const CommandContext& context) {
    const std::string origin = require_allowed_origin(context);  // before any card access
    const protocol::AuthenticateArguments args =
        protocol::parse_authenticate_arguments(context.request.arguments, context.request.id);

    const FoundKey found = args.certificate_id ? find_key_by_id(context, *args.certificate_id)
                                               : find_login_key(context);
    log::info("authenticate for " + origin + " with " + found.certificate_id);

    nlohmann::json result;
    with_pin(context, found, [&](card::TokenSession& session) {
        // Member order is fixed (ordered_json) so the signed bytes are predictable.
        const nlohmann::ordered_json content = {
            {"format", kAuthFormat},
            {"origin", origin},
            {"nonce", args.nonce},
            {"issuedAt", pkcs::format_rfc3339(pkcs::now_unix())}};
        const std::string text = content.dump();
        const pkcs::Certificate& cert = found.key.certificate;
        pkcs::ExternalSigner signer{
            cert, [&](pkcs::ByteView digest, pkcs::HashAlgorithm alg, pkcs::SignatureScheme s) {
                return session.sign_digest(found.key, digest, alg, s);
            }};
        pkcs::CmsSignOptions options;
        options.hash = pkcs::HashAlgorithm::Sha256;
        options.detached = false;
        const pkcs::Bytes cms = pkcs::cms_sign(pkcs::as_bytes(text), signer, options);
        result = {{"format", kAuthFormat},
                  {"certificate", pkcs::base64_encode(cert.der())},
                  {"pkcs7", pkcs::base64_encode(cms)}};
    });
    return result;
}

}  // namespace pkibridge::host::commands
