#include "cms_signed_attrs_der.hpp"

#include <openssl/asn1t.h>
#include <openssl/x509.h>

#include "pkibridge/pkcs/ossl.hpp"

namespace {

// SET OF Attribute sorted into DER order, like OpenSSL's internal CMS_Attributes_Sign.
// OpenSSL has no public item for it, so it is declared with the asn1t.h templates.
ASN1_ITEM_TEMPLATE(PkibridgeSignedAttributes) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, 0,
                                                                      PkibridgeSignedAttributes,
                                                                      X509_ATTRIBUTE)
    static_ASN1_ITEM_TEMPLATE_END(PkibridgeSignedAttributes)

        struct BorrowedAttributeStack {
    void operator()(STACK_OF(X509_ATTRIBUTE) * s) const noexcept { sk_X509_ATTRIBUTE_free(s); }
};

}  // namespace

namespace pkibridge::pkcs::cmsdetail {

Bytes signed_attributes_der(CMS_SignerInfo* si) {
    // A stack that borrows the SignerInfo's attributes (freed without freeing them).
    std::unique_ptr<STACK_OF(X509_ATTRIBUTE), BorrowedAttributeStack> attrs(
        sk_X509_ATTRIBUTE_new_null());
    if (!attrs) throw_openssl(ErrorCode::Crypto, "allocating the attribute list failed");
    const int count = CMS_signed_get_attr_count(si);
    for (int i = 0; i < count; ++i) {
        X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
        if (attr == nullptr || sk_X509_ATTRIBUTE_push(attrs.get(), attr) <= 0)
            throw_openssl(ErrorCode::Crypto, "collecting the signed attributes failed");
    }
    unsigned char* der = nullptr;
    int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(attrs.get()), &der,
                            ASN1_ITEM_rptr(PkibridgeSignedAttributes));
    if (len <= 0) throw_openssl(ErrorCode::Crypto, "encoding the signed attributes failed");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace pkibridge::pkcs::cmsdetail
