#include "pkibridge/pkcs/cms_describe.hpp"

#include <openssl/objects.h>

#include "cms_attributes.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {
namespace {

std::string algor_name(const X509_ALGOR* alg) {
    if (alg == nullptr) return "";
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    return cmsdetail::cms_object_name(obj);
}

nlohmann::json attributes_json(CMS_SignerInfo* si) {
    nlohmann::json j;
    try {
        const CmsSignedAttributes a = cmsdetail::read_signed_attributes(si);
        j["present"] = a.present;
        if (!a.present) return j;
        if (a.content_type) j["contentType"] = *a.content_type;
        if (a.message_digest) j["messageDigest"] = hex_encode(*a.message_digest);
        if (a.signing_time) {
            j["signingTime"] = format_rfc3339(*a.signing_time);
            j["signingTimeUnix"] = *a.signing_time;
        }
        if (a.nonce) j["nonce"] = hex_encode(*a.nonce);
        if (a.card_serial) j["cardSerial"] = cmsdetail::json_safe_utf8(*a.card_serial);
        j["signingCertificateV2"] = a.signing_certificate_v2;
        j["signingCertificate"] = a.signing_certificate;
    } catch (const PkcsError& e) {
        j["error"] = cmsdetail::json_safe_utf8(e.what());
    }
    nlohmann::json types = nlohmann::json::array();
    for (int i = 0; i < std::max(0, CMS_signed_get_attr_count(si)); ++i)
        types.push_back(
            cmsdetail::cms_object_name(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i))));
    j["types"] = std::move(types);
    return j;
}

nlohmann::json signer_id_json(CMS_SignerInfo* si) {
    ASN1_OCTET_STRING* keyid = nullptr;
    X509_NAME* issuer = nullptr;
    ASN1_INTEGER* serial = nullptr;
    nlohmann::json j;
    if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1) return j;
    if (keyid != nullptr) j["subjectKeyIdentifier"] = hex_encode(cmsdetail::string_bytes(keyid));
    if (issuer != nullptr) {
        BioPtr bio(BIO_new(BIO_s_mem()));
        if (bio &&
            X509_NAME_print_ex(bio.get(), issuer, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
            j["issuer"] = cmsdetail::json_safe_utf8(bio_contents(bio.get()));
    }
    if (serial != nullptr) {
        BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
        if (bn) {
            char* hex = BN_bn2hex(bn.get());
            if (hex != nullptr) j["serial"] = std::string(hex);
            OPENSSL_free(hex);
        }
    }
    return j;
}

}  // namespace

nlohmann::json describe_cms(ByteView der_or_pem) {
    CmsPtr cms = parse_cms(der_or_pem);
    nlohmann::json j;
    j["type"] = "cms-signed-data";
    j["contentType"] = cmsdetail::cms_oid_text(CMS_get0_eContentType(cms.get()));
    const bool detached = CMS_is_detached(cms.get()) == 1;
    j["detached"] = detached;
    if (!detached) {
        ASN1_OCTET_STRING** pos = CMS_get0_content(cms.get());
        if (pos != nullptr && *pos != nullptr) j["contentSize"] = ASN1_STRING_length(*pos);
    }
    nlohmann::json signers = nlohmann::json::array();
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    for (int i = 0; infos != nullptr && i < sk_CMS_SignerInfo_num(infos); ++i) {
        CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
        X509_ALGOR* digest_alg = nullptr;
        X509_ALGOR* sig_alg = nullptr;
        CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, &sig_alg);
        nlohmann::json s;
        s["signerId"] = signer_id_json(si);
        s["digestAlgorithm"] = algor_name(digest_alg);
        s["signatureAlgorithm"] = algor_name(sig_alg);
        s["signatureSize"] = ASN1_STRING_length(CMS_SignerInfo_get0_signature(si));
        s["signedAttributes"] = attributes_json(si);
        s["unsignedAttributeCount"] = std::max(0, CMS_unsigned_get_attr_count(si));
        signers.push_back(std::move(s));
    }
    j["signers"] = std::move(signers);
    nlohmann::json certs = nlohmann::json::array();
    if (X509StackPtr stack{CMS_get1_certs(cms.get())}) {
        for (int i = 0; i < sk_X509_num(stack.get()); ++i) {
            X509* c = sk_X509_value(stack.get(), i);
            X509_up_ref(c);
            certs.push_back(certificate_to_json(Certificate(X509Ptr(c))));
        }
    }
    j["certificates"] = std::move(certs);
    STACK_OF(X509_CRL)* crls = CMS_get1_crls(cms.get());
    j["crlCount"] = crls == nullptr ? 0 : sk_X509_CRL_num(crls);
    if (crls != nullptr) sk_X509_CRL_pop_free(crls, X509_CRL_free);
    drain_openssl_errors();
    return j;
}

}  // namespace pkibridge::pkcs
