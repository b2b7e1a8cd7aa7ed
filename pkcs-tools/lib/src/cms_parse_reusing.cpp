#include <openssl/asn1t.h>
#include <openssl/objects.h>

#include <algorithm>
#include <cstring>

#include "cms_parse_internal.hpp"
#include "pkibridge/pkcs/errors.hpp"

// A SignedData skeleton (RFC 5652 5.1) whose parts are kept as opaque DER.
typedef struct {
    ASN1_INTEGER* version;
    STACK_OF(ASN1_TYPE) * digest_algorithms;
    ASN1_TYPE* encap_content_info;
    STACK_OF(ASN1_TYPE) * certificates;
    STACK_OF(ASN1_TYPE) * crls;
    STACK_OF(ASN1_TYPE) * signer_infos;
} PKIBRIDGE_SD_SKELETON;

typedef struct {
    ASN1_OBJECT* content_type;
    PKIBRIDGE_SD_SKELETON* content;
} PKIBRIDGE_CI_SKELETON;

namespace {

ASN1_SEQUENCE(PKIBRIDGE_SD_SKELETON) =
    {
        ASN1_SIMPLE(PKIBRIDGE_SD_SKELETON, version, ASN1_INTEGER),
        ASN1_SET_OF(PKIBRIDGE_SD_SKELETON, digest_algorithms, ASN1_ANY),
        ASN1_SIMPLE(PKIBRIDGE_SD_SKELETON, encap_content_info, ASN1_ANY),
        ASN1_IMP_SET_OF_OPT(PKIBRIDGE_SD_SKELETON, certificates, ASN1_ANY, 0),
        ASN1_IMP_SET_OF_OPT(PKIBRIDGE_SD_SKELETON, crls, ASN1_ANY, 1),
        ASN1_SET_OF(PKIBRIDGE_SD_SKELETON, signer_infos, ASN1_ANY),
} static_ASN1_SEQUENCE_END(PKIBRIDGE_SD_SKELETON)

        ASN1_SEQUENCE(PKIBRIDGE_CI_SKELETON) =
            {
                ASN1_SIMPLE(PKIBRIDGE_CI_SKELETON, content_type, ASN1_OBJECT),
                ASN1_EXP(PKIBRIDGE_CI_SKELETON, content, PKIBRIDGE_SD_SKELETON, 0),
} static_ASN1_SEQUENCE_END(PKIBRIDGE_CI_SKELETON)

                struct SkeletonFree {
    void operator()(PKIBRIDGE_CI_SKELETON* p) const noexcept {
        ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(p), ASN1_ITEM_rptr(PKIBRIDGE_CI_SKELETON));
    }
};

}  // namespace

namespace pkibridge::pkcs::cmsdetail {

CmsPtr parse_cms_reusing(ByteView der, const std::vector<const Certificate*>& known) {
    if (der.size() > static_cast<std::size_t>(INT32_MAX)) return parse_cms_der(der);
    const unsigned char* p = der.data();
    std::unique_ptr<PKIBRIDGE_CI_SKELETON, SkeletonFree> skeleton(
        reinterpret_cast<PKIBRIDGE_CI_SKELETON*>(ASN1_item_d2i(
            nullptr, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(PKIBRIDGE_CI_SKELETON))));
    // Anything unusual (not SignedData, trailing data, odd encodings): the full parse
    // decides and gives the precise error.
    if (!skeleton || p != der.data() + der.size() ||
        OBJ_obj2nid(skeleton->content_type) != NID_pkcs7_signed || skeleton->content == nullptr) {
        drain_openssl_errors();
        return parse_cms_der(der);
    }
    STACK_OF(ASN1_TYPE)* certs = skeleton->content->certificates;
    skeleton->content->certificates = nullptr;
    std::unique_ptr<STACK_OF(ASN1_TYPE), void (*)(STACK_OF(ASN1_TYPE)*)> owned_certs(
        certs, [](STACK_OF(ASN1_TYPE) * s) { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); });
    sk_ASN1_TYPE_pop_free(skeleton->content->crls, ASN1_TYPE_free);
    skeleton->content->crls = nullptr;

    unsigned char* stripped = nullptr;
    int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(skeleton.get()), &stripped,
                            ASN1_ITEM_rptr(PKIBRIDGE_CI_SKELETON));
    if (len <= 0) {
        drain_openssl_errors();
        return parse_cms_der(der);
    }
    CmsPtr cms;
    try {
        cms = parse_cms_der(ByteView(stripped, static_cast<std::size_t>(len)));
    } catch (const PkcsError&) {
        OPENSSL_free(stripped);
        return parse_cms_der(der);
    }
    OPENSSL_free(stripped);

    for (int i = 0; certs != nullptr && i < sk_ASN1_TYPE_num(certs); ++i) {
        const ASN1_TYPE* t = sk_ASN1_TYPE_value(certs, i);
        if (t->type != V_ASN1_SEQUENCE) continue;  // attribute or other certificate formats
        const ASN1_STRING* enc = t->value.sequence;
        ByteView bytes(ASN1_STRING_get0_data(enc),
                       static_cast<std::size_t>(ASN1_STRING_length(enc)));
        X509* x = nullptr;
        for (const Certificate* k : known) {
            // i2d of a parsed X509 returns its cached original encoding.
            const int klen = i2d_X509(k->native(), nullptr);
            if (klen != static_cast<int>(bytes.size())) continue;
            if (k->der() == Bytes(bytes.begin(), bytes.end())) {
                x = k->native();
                X509_up_ref(x);
                break;
            }
        }
        if (x == nullptr) {
            const unsigned char* q = bytes.data();
            x = d2i_X509(nullptr, &q, static_cast<long>(bytes.size()));
            if (x == nullptr || q != bytes.data() + bytes.size()) {
                X509_free(x);
                drain_openssl_errors();
                return parse_cms_der(der);  // let the full parse report the bad certificate
            }
        }
        X509Ptr owned(x);
        if (CMS_add1_cert(cms.get(), x) != 1) drain_openssl_errors();  // duplicates are fine
    }
    return cms;
}

}  // namespace pkibridge::pkcs::cmsdetail
