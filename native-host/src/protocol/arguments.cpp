#include "protocol/arguments.hpp"

#include <algorithm>
#include <set>

#include "pkibridge/pkcs/errors.hpp"
#include "protocol/request.hpp"

namespace pkibridge::host::protocol {

using nlohmann::json;

namespace {

// Reads members of one arguments object, remembering which keys were understood.
class Reader {
public:
    Reader(const json& args, const json& id) : args_(args), id_(id) {}

    [[noreturn]] void fail(const std::string& message) const {
        throw RequestError(ErrorCode::BadRequest, message, id_);
    }
    const json* get(const char* key) {
        known_.insert(key);
        auto it = args_.find(key);
        return it == args_.end() ? nullptr : &*it;
    }
    std::optional<std::string> string(const char* key) {
        const json* v = get(key);
        if (!v) return std::nullopt;
        if (!v->is_string()) fail(std::string("argument \"") + key + "\" must be a string");
        return v->get<std::string>();
    }
    std::string required_string(const char* key) {
        auto s = string(key);
        if (!s) fail(std::string("argument \"") + key + "\" is required");
        return *s;
    }
    bool boolean(const char* key) {
        const json* v = get(key);
        if (!v) return false;
        if (!v->is_boolean()) fail(std::string("argument \"") + key + "\" must be true or false");
        return v->get<bool>();
    }
    std::optional<pkcs::Bytes> base64(const char* key) {
        auto s = string(key);
        if (!s) return std::nullopt;
        try {
            return pkcs::base64_decode(*s);
        } catch (const pkcs::PkcsError&) {
            fail(std::string("argument \"") + key + "\" is not valid base64");
        }
    }
    void reject_unknown() const {
        for (const auto& [key, value] : args_.items())
            if (!known_.count(key))
                fail("unknown argument \"" + (key.size() > 64 ? key.substr(0, 64) + "..." : key) +
                     "\"");
    }
    bool has(const char* key) const { return args_.contains(key); }

private:
    const json& args_;
    const json& id_;
    std::set<std::string> known_;
};

bool valid_request_id(const json& v) {
    return v.is_number_integer() || (v.is_string() && !v.get_ref<const std::string&>().empty() &&
                                     v.get_ref<const std::string&>().size() <= kMaxIdLength);
}

}  // namespace

SignArguments parse_sign_arguments(const json& args, const json& id) {
    Reader r(args, id);
    SignArguments out;
    out.certificate_id = r.required_string("certificateId");
    out.data = r.base64("data");
    out.hash = r.base64("hash");
    if (out.data.has_value() == out.hash.has_value())
        r.fail("exactly one of \"data\" and \"hash\" is required");

    if (auto name = r.string("hashAlgorithm")) {
        try {
            out.hash_algorithm = pkcs::parse_hash_name(*name);
        } catch (const pkcs::PkcsError&) {
            r.fail("argument \"hashAlgorithm\" must be sha256, sha384 or sha512");
        }
    }
    if (out.hash && out.hash->size() != pkcs::hash_size(out.hash_algorithm))
        r.fail("argument \"hash\" has " + std::to_string(out.hash->size()) + " bytes; " +
               std::string(pkcs::hash_name(out.hash_algorithm)) + " needs " +
               std::to_string(pkcs::hash_size(out.hash_algorithm)));

    if (auto format = r.string("format")) {
        if (*format == "cms-attached")
            out.format = SignFormat::CmsAttached;
        else if (*format == "cms-detached")
            out.format = SignFormat::CmsDetached;
        else if (*format == "raw")
            out.format = SignFormat::Raw;
        else
            r.fail("argument \"format\" must be cms-attached, cms-detached or raw");
    }
    if (out.hash && out.format == SignFormat::CmsAttached)
        r.fail("a precomputed \"hash\" cannot be signed as cms-attached (the content is not here)");

    if (auto scheme = r.string("signatureScheme")) {
        if (*scheme == "rsa-pkcs1")
            out.scheme = pkcs::SignatureScheme::RsaPkcs1;
        else if (*scheme == "rsa-pss")
            out.scheme = pkcs::SignatureScheme::RsaPss;
        else if (*scheme == "ecdsa")
            out.scheme = pkcs::SignatureScheme::Ecdsa;
        else
            r.fail("argument \"signatureScheme\" must be rsa-pkcs1, rsa-pss or ecdsa");
    }
    out.nonce = r.base64("nonce");
    if (out.nonce) {
        if (out.nonce->empty() || out.nonce->size() > kMaxSignNonce)
            r.fail("argument \"nonce\" must decode to 1 to " + std::to_string(kMaxSignNonce) +
                   " bytes");
        if (out.format == SignFormat::Raw)
            r.fail("argument \"nonce\" needs a CMS format (it is a signed attribute)");
    }
    out.include_card_serial = r.boolean("includeCardSerial");
    out.include_chain = r.boolean("includeChain");
    if (out.include_chain && out.format == SignFormat::Raw)
        r.fail("argument \"includeChain\" needs a CMS format");
    r.reject_unknown();
    return out;
}

AuthenticateArguments parse_authenticate_arguments(const json& args, const json& id) {
    Reader r(args, id);
    AuthenticateArguments out;
    out.certificate_id = r.string("certificateId");
    out.nonce = r.required_string("nonce");
    const bool base64url = std::all_of(out.nonce.begin(), out.nonce.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
    if (!base64url || out.nonce.size() < kMinAuthNonce || out.nonce.size() > kMaxAuthNonce)
        r.fail("argument \"nonce\" must be " + std::to_string(kMinAuthNonce) + " to " +
               std::to_string(kMaxAuthNonce) + " base64url characters");
    r.reject_unknown();
    return out;
}

PinArguments parse_pin_arguments(json& args, const json& id) {
    Reader r(args, id);
    PinArguments out;
    const json* request_id = r.get("requestId");
    if (!request_id || !valid_request_id(*request_id))
        r.fail("argument \"requestId\" must be the id of the request that asked for the PIN");
    out.request_id = *request_id;
    const json* pin = r.get("pin");
    if (!pin || !pin->is_string()) r.fail("argument \"pin\" must be a string");
    r.reject_unknown();
    // Move the PIN out and wipe the copy the JSON document held.
    auto& text = args["pin"].get_ref<std::string&>();
    out.pin = pkcs::SecretString(text);
    pkcs::secure_zero(text.data(), text.size());
    text.clear();
    return out;
}

CancelArguments parse_cancel_arguments(const json& args, const json& id) {
    Reader r(args, id);
    CancelArguments out;
    if (const json* request_id = r.get("requestId")) {
        if (!valid_request_id(*request_id)) r.fail("argument \"requestId\" must be a request id");
        out.request_id = *request_id;
    }
    r.reject_unknown();
    return out;
}

void parse_no_arguments(const json& args, const json& id, const char* command) {
    if (!args.empty())
        throw RequestError(ErrorCode::BadRequest,
                           std::string("\"") + command + "\" takes no arguments", id);
}

}  // namespace pkibridge::host::protocol
