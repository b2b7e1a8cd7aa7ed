#include "services/login_token.hpp"

#include "core/errors.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::server {

using nlohmann::json;

namespace {

[[noreturn]] void bad(const char* code, const std::string& message) {
    throw ServiceError(ErrorKind::BadRequest, code, message);
}

const std::string& string_member(const json& obj, const char* key, const char* code,
                                 const char* what) {
    auto it = obj.find(key);
    if (it == obj.end()) bad(code, std::string(what) + " has no \"" + key + "\" member");
    if (!it->is_string()) bad(code, std::string(what) + " member \"" + key + "\" must be a string");
    return it->get_ref<const std::string&>();
}

pkcs::Bytes decode_base64_member(const std::string& value, const char* key) {
    if (value.empty()) bad("token-malformed", std::string("token \"") + key + "\" is empty");
    try {
        // The host writes standard base64; base64url is accepted as well.
        if (value.find_first_of("-_") != std::string::npos) return pkcs::base64url_decode(value);
        return pkcs::base64_decode(value);
    } catch (const pkcs::PkcsError&) {
        bad("token-malformed", std::string("token \"") + key + "\" is not valid base64");
    }
}

}  // namespace

LoginToken parse_login_token(const json& token_in) {
    json parsed;
    const json* token = &token_in;
    if (token_in.is_string()) {
        parsed = json::parse(token_in.get_ref<const std::string&>(), nullptr, false);
        if (parsed.is_discarded()) bad("token-malformed", "token string is not JSON");
        token = &parsed;
    }
    if (!token->is_object()) bad("token-malformed", "token must be a JSON object");

    const std::string& format = string_member(*token, "format", "token-malformed", "token");
    if (format != kAuthTokenFormat)
        bad("token-format", "token format must be \"" + std::string(kAuthTokenFormat) + "\"");
    const std::string& cert_b64 = string_member(*token, "certificate", "token-malformed", "token");
    const std::string& cms_b64 = string_member(*token, "pkcs7", "token-malformed", "token");

    pkcs::Bytes cert_der = decode_base64_member(cert_b64, "certificate");
    pkcs::Bytes cms_der = decode_base64_member(cms_b64, "pkcs7");

    LoginToken out{std::move(cert_der), std::move(cms_der)};
    return out;
}

AuthContent parse_auth_content(pkcs::ByteView content) {
    json doc = json::parse(content.begin(), content.end(), nullptr, false);
    if (doc.is_discarded()) bad("content-malformed", "signed content is not UTF-8 JSON");
    if (!doc.is_object()) bad("content-malformed", "signed content must be a JSON object");
    const std::string& format = string_member(doc, "format", "content-malformed", "signed content");
    if (format != kAuthTokenFormat)
        bad("content-format",
            "signed content format must be \"" + std::string(kAuthTokenFormat) + "\"");
    AuthContent out;
    out.origin = string_member(doc, "origin", "content-malformed", "signed content");
    out.nonce = string_member(doc, "nonce", "content-malformed", "signed content");
    out.issued_at = string_member(doc, "issuedAt", "content-malformed", "signed content");
    return out;
}

std::int64_t parse_issued_at(std::string_view text) {
    try {
        return pkcs::parse_rfc3339(text);
    } catch (const pkcs::PkcsError&) {
        bad("issued-at-malformed", "issuedAt is not an RFC 3339 time");
    }
}

}  // namespace pkibridge::server
