#include "cms_attributes.hpp"

#include <openssl/objects.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs::cmsdetail {

std::string cms_oid_text(const ASN1_OBJECT* obj) {
    char buf[128];
    int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return n > 0 ? std::string(buf) : std::string("?");
}

std::string cms_object_name(const ASN1_OBJECT* obj) {
    int nid = OBJ_obj2nid(obj);
    return nid != NID_undef ? std::string(OBJ_nid2sn(nid)) : cms_oid_text(obj);
}

// The one value of a signed attribute, or nullptr when absent. RFC 5652 5.3: an attribute
// type appears once and these attributes have exactly one value.
const ASN1_TYPE* single_signed_value(CMS_SignerInfo* si, int nid, std::string_view oid,
                                     const char* what) {
    Asn1ObjectPtr owned;
    const ASN1_OBJECT* obj = nid != NID_undef ? OBJ_nid2obj(nid) : nullptr;
    if (obj == nullptr) {
        owned.reset(OBJ_txt2obj(std::string(oid).c_str(), 1));
        obj = owned.get();
    }
    int loc = CMS_signed_get_attr_by_OBJ(si, obj, -1);
    if (loc < 0) return nullptr;
    if (CMS_signed_get_attr_by_OBJ(si, obj, loc) >= 0)
        throw PkcsError(ErrorCode::Malformed,
                        std::string("signed attribute ") + what + " appears twice");
    X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, loc);
    if (attr == nullptr || X509_ATTRIBUTE_count(attr) != 1)
        throw PkcsError(ErrorCode::Malformed,
                        std::string("signed attribute ") + what + " must have exactly one value");
    return X509_ATTRIBUTE_get0_type(attr, 0);
}

Bytes string_bytes(const ASN1_STRING* s) {
    return Bytes(ASN1_STRING_get0_data(s), ASN1_STRING_get0_data(s) + ASN1_STRING_length(s));
}

CmsSignedAttributes read_signed_attributes(CMS_SignerInfo* si) {
    CmsSignedAttributes a;
    a.present = CMS_signed_get_attr_count(si) >= 0;
    if (!a.present) return a;
    auto bad = [](const char* what) {
        return PkcsError(ErrorCode::Malformed,
                         std::string("signed attribute ") + what + " has the wrong type");
    };
    if (const ASN1_TYPE* t = single_signed_value(si, NID_pkcs9_contentType, {}, "contentType")) {
        if (t->type != V_ASN1_OBJECT) throw bad("contentType");
        a.content_type = cms_oid_text(t->value.object);
    }
    if (const ASN1_TYPE* t =
            single_signed_value(si, NID_pkcs9_messageDigest, {}, "messageDigest")) {
        if (t->type != V_ASN1_OCTET_STRING) throw bad("messageDigest");
        a.message_digest = string_bytes(t->value.octet_string);
    }
    if (const ASN1_TYPE* t = single_signed_value(si, NID_pkcs9_signingTime, {}, "signingTime")) {
        if (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME)
            throw bad("signingTime");
        try {
            a.signing_time =
                asn1_time_to_unix(reinterpret_cast<const ASN1_TIME*>(t->value.asn1_string));
        } catch (const PkcsError&) {
            throw PkcsError(ErrorCode::Malformed, "signed attribute signingTime is invalid");
        }
    }
    if (const ASN1_TYPE* t = single_signed_value(si, NID_undef, kOidRandomNonce, "randomNonce")) {
        if (t->type != V_ASN1_OCTET_STRING) throw bad("randomNonce");
        a.nonce = string_bytes(t->value.octet_string);
    }
    if (const ASN1_TYPE* t = single_signed_value(si, NID_undef, kOidCardSerial, "card serial")) {
        switch (t->type) {
            case V_ASN1_PRINTABLESTRING:
            case V_ASN1_UTF8STRING:
            case V_ASN1_IA5STRING:
            case V_ASN1_VISIBLESTRING:
            case V_ASN1_OCTET_STRING: {
                Bytes b = string_bytes(t->value.asn1_string);
                a.card_serial = std::string(b.begin(), b.end());
                break;
            }
            default:
                throw bad("card serial");
        }
    }
    a.signing_certificate_v2 = single_signed_value(si, NID_id_smime_aa_signingCertificateV2, {},
                                                   "signingCertificateV2") != nullptr;
    a.signing_certificate = single_signed_value(si, NID_id_smime_aa_signingCertificate, {},
                                                "signingCertificate") != nullptr;
    return a;
}

std::string json_safe_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        bool ok = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        if (ok && len > 1) {
            // Reject overlong forms, surrogates and values above U+10FFFF.
            std::uint32_t cp = c & (0xFF >> (len + 1));
            for (std::size_t k = 1; k < len; ++k)
                cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
            static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
            ok = cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (ok && len == 1 && c < 0x20 && c != '\t') ok = false;  // control characters
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
        }
    }
    return out;
}

}  // namespace pkibridge::pkcs::cmsdetail
