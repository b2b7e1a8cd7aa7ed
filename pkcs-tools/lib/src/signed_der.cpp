#include "signed_der.hpp"

#include <openssl/asn1t.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

// The outer SIGNED{} structure with the to-be-signed part kept as raw DER (ASN1_ANY holding
// a SEQUENCE re-encodes its bytes verbatim).
typedef struct {
    ASN1_TYPE* tbs;
    X509_ALGOR* alg;
    ASN1_BIT_STRING* sig;
} PKIBRIDGE_SIGNED_RAW;

ASN1_SEQUENCE(PKIBRIDGE_SIGNED_RAW) =
    {
        ASN1_SIMPLE(PKIBRIDGE_SIGNED_RAW, tbs, ASN1_ANY),
        ASN1_SIMPLE(PKIBRIDGE_SIGNED_RAW, alg, X509_ALGOR),
        ASN1_SIMPLE(PKIBRIDGE_SIGNED_RAW, sig, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(PKIBRIDGE_SIGNED_RAW)

        namespace pkibridge::pkcs::certdetail {
    namespace {

    using Asn1TypePtr = OsslPtr<ASN1_TYPE, ASN1_TYPE_free>;

    Asn1TypePtr raw_sequence(ByteView tbs) {
        Asn1TypePtr type(ASN1_TYPE_new());
        Asn1StringPtr str(ASN1_STRING_type_new(V_ASN1_SEQUENCE));
        if (!type || !str ||
            ASN1_STRING_set(str.get(), tbs.data(), static_cast<int>(tbs.size())) != 1)
            throw_openssl(ErrorCode::Crypto, "allocation failed");
        ASN1_TYPE_set(type.get(), V_ASN1_SEQUENCE, str.release());
        return type;
    }

    struct SignedRawDeleter {
        void operator()(PKIBRIDGE_SIGNED_RAW* p) const noexcept {
            ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(p), ASN1_ITEM_rptr(PKIBRIDGE_SIGNED_RAW));
        }
    };

    }  // namespace

    bool verify_signed_tbs(ByteView tbs, const X509_ALGOR* alg, const ASN1_BIT_STRING* signature,
                           EVP_PKEY* key) {
        if (tbs.size() > static_cast<std::size_t>(INT32_MAX))
            throw PkcsError(ErrorCode::Malformed, "signed data larger than 2 GiB");
        Asn1TypePtr data = raw_sequence(tbs);
        int ok = ASN1_item_verify(ASN1_ITEM_rptr(ASN1_ANY), const_cast<X509_ALGOR*>(alg),
                                  const_cast<ASN1_BIT_STRING*>(signature), data.get(), key);
        drain_openssl_errors();
        return ok == 1;
    }

    Bytes sign_tbs(ByteView tbs, EVP_PKEY * key, const EVP_MD* md) {
        std::unique_ptr<PKIBRIDGE_SIGNED_RAW, SignedRawDeleter> raw(
            reinterpret_cast<PKIBRIDGE_SIGNED_RAW*>(
                ASN1_item_new(ASN1_ITEM_rptr(PKIBRIDGE_SIGNED_RAW))));
        if (!raw) throw_openssl(ErrorCode::Crypto, "allocation failed");
        ASN1_TYPE_free(raw->tbs);
        raw->tbs = raw_sequence(tbs).release();
        if (ASN1_item_sign(ASN1_ITEM_rptr(ASN1_ANY), raw->alg, nullptr, raw->sig, raw->tbs, key,
                           md) <= 0)
            throw_openssl(ErrorCode::Crypto, "signing failed");
        unsigned char* der = nullptr;
        int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(raw.get()), &der,
                                ASN1_ITEM_rptr(PKIBRIDGE_SIGNED_RAW));
        if (len <= 0) throw_openssl(ErrorCode::Crypto, "cannot encode signed structure");
        Bytes out(der, der + len);
        OPENSSL_free(der);
        return out;
    }

}  // namespace pkibridge::pkcs::certdetail
