#include "pkibridge/pkcs/cms_sign.hpp"

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "cms_signed_attrs_der.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {
namespace {

using RsaPssParamsPtr = OsslPtr<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free>;

// PrintableString characters (X.680 41.4).
bool printable_string(std::string_view s) {
    for (char c : s) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

void add_attr_nid(CMS_SignerInfo* si, int nid, int type, const void* data, int len,
                  const char* what) {
    if (CMS_signed_add1_attr_by_NID(si, nid, type, data, len) != 1)
        throw_openssl(ErrorCode::Crypto, std::string("adding signed attribute ") + what);
}

void add_attr_oid(CMS_SignerInfo* si, std::string_view oid, int type, const void* data, int len,
                  const char* what) {
    Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
    if (!obj || CMS_signed_add1_attr_by_OBJ(si, obj.get(), type, data, len) != 1)
        throw_openssl(ErrorCode::Crypto, std::string("adding signed attribute ") + what);
}

// AlgorithmIdentifier of the hash (parameters absent, RFC 5754).
X509_ALGOR* new_hash_algor(HashAlgorithm alg) {
    X509_ALGOR* a = X509_ALGOR_new();
    if (a == nullptr) throw_openssl(ErrorCode::Crypto, "X509_ALGOR_new failed");
    X509_ALGOR_set_md(a, hash_md(alg));
    return a;
}

// RSASSA-PSS-params (RFC 4055 3.1): hash, MGF1 with the same hash, salt = hash length,
// trailer field default.
void set_pss_algorithm(X509_ALGOR* sig_alg, HashAlgorithm alg) {
    RsaPssParamsPtr params(RSA_PSS_PARAMS_new());
    if (!params) throw_openssl(ErrorCode::Crypto, "RSA_PSS_PARAMS_new failed");
    params->hashAlgorithm = new_hash_algor(alg);
    OsslPtr<X509_ALGOR, X509_ALGOR_free> mgf_hash(new_hash_algor(alg));
    ASN1_STRING* mgf_param = nullptr;
    if (ASN1_item_pack(mgf_hash.get(), ASN1_ITEM_rptr(X509_ALGOR), &mgf_param) == nullptr)
        throw_openssl(ErrorCode::Crypto, "encoding the MGF1 parameters failed");
    params->maskGenAlgorithm = X509_ALGOR_new();
    if (params->maskGenAlgorithm == nullptr ||
        X509_ALGOR_set0(params->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE,
                        mgf_param) != 1) {
        ASN1_STRING_free(mgf_param);
        throw_openssl(ErrorCode::Crypto, "setting the MGF1 algorithm failed");
    }
    params->saltLength = ASN1_INTEGER_new();
    if (params->saltLength == nullptr ||
        ASN1_INTEGER_set(params->saltLength, static_cast<long>(hash_size(alg))) != 1)
        throw_openssl(ErrorCode::Crypto, "setting the PSS salt length failed");
    ASN1_STRING* encoded = nullptr;
    if (ASN1_item_pack(params.get(), ASN1_ITEM_rptr(RSA_PSS_PARAMS), &encoded) == nullptr)
        throw_openssl(ErrorCode::Crypto, "encoding the RSA-PSS parameters failed");
    if (X509_ALGOR_set0(sig_alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, encoded) != 1) {
        ASN1_STRING_free(encoded);
        throw_openssl(ErrorCode::Crypto, "setting the RSA-PSS algorithm failed");
    }
}

void set_signature_algorithm(CMS_SignerInfo* si, HashAlgorithm alg, SignatureScheme scheme) {
    X509_ALGOR* sig_alg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &sig_alg);
    if (sig_alg == nullptr) throw PkcsError(ErrorCode::Internal, "SignerInfo has no algorithm");
    switch (scheme) {
        case SignatureScheme::RsaPkcs1:
            // rsaEncryption with NULL parameters, as OpenSSL and most CMS producers write it.
            if (X509_ALGOR_set0(sig_alg, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr) != 1)
                throw_openssl(ErrorCode::Crypto, "setting the signature algorithm failed");
            return;
        case SignatureScheme::RsaPss:
            set_pss_algorithm(sig_alg, alg);
            return;
        case SignatureScheme::Ecdsa: {
            int nid = alg == HashAlgorithm::Sha256   ? NID_ecdsa_with_SHA256
                      : alg == HashAlgorithm::Sha384 ? NID_ecdsa_with_SHA384
                                                     : NID_ecdsa_with_SHA512;
            if (X509_ALGOR_set0(sig_alg, OBJ_nid2obj(nid), V_ASN1_UNDEF, nullptr) != 1)
                throw_openssl(ErrorCode::Crypto, "setting the signature algorithm failed");
            return;
        }
    }
}

// Builds the SignedData around a content digest; `content` is embedded when given.
Bytes build_signed_data(ByteView content_digest, std::optional<ByteView> content,
                        const ExternalSigner& signer, const CmsSignOptions& options) {
    if (!signer.sign_digest) throw PkcsError(ErrorCode::InvalidArgument, "signer has no callback");
    if (content_digest.size() != hash_size(options.hash))
        throw PkcsError(ErrorCode::InvalidArgument,
                        "content digest is " + std::to_string(content_digest.size()) + " bytes, " +
                            std::string(hash_name(options.hash)) + " needs " +
                            std::to_string(hash_size(options.hash)));
    X509* cert = signer.certificate.native();
    EVP_PKEY* public_key = signer.certificate.public_key();
    const SignatureScheme scheme = options.scheme.value_or(default_scheme(public_key));
    check_scheme_fits_key(scheme, public_key);
    if (options.card_serial && !printable_string(*options.card_serial))
        throw PkcsError(ErrorCode::InvalidArgument,
                        "card serial must use PrintableString characters (A-Z a-z 0-9 '()+,-./:=? "
                        "and space)");
    if (content && content->size() > static_cast<std::size_t>(INT32_MAX))
        throw PkcsError(ErrorCode::InvalidArgument, "content larger than 2 GiB");

    const unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP;
    CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
    if (!cms) throw_openssl(ErrorCode::Crypto, "CMS_sign failed");
    // OpenSSL only compares the public parts (X509_check_private_key), so the certificate's
    // own public key stands in for the private key that the callback uses. CMS_CADES adds
    // signingCertificateV2 (ESSCertIDv2 with issuerSerial) for the signer.
    CMS_SignerInfo* si =
        CMS_add1_signer(cms.get(), cert, public_key, hash_md(options.hash), flags | CMS_CADES);
    if (si == nullptr) throw_openssl(ErrorCode::Crypto, "CMS_add1_signer failed");
    for (const Certificate& extra : options.chain)
        if (!(extra == signer.certificate) && CMS_add1_cert(cms.get(), extra.native()) != 1)
            throw_openssl(ErrorCode::Crypto, "adding a chain certificate failed");

    add_attr_nid(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1,
                 "contentType");
    if (options.include_signing_time) {
        Asn1TimePtr t(unix_to_asn1_time(options.signing_time.value_or(now_unix())));
        if (!t) throw_openssl(ErrorCode::Crypto, "encoding signingTime failed");
        add_attr_nid(si, NID_pkcs9_signingTime, ASN1_STRING_type(t.get()), t.get(), -1,
                     "signingTime");
    }
    add_attr_nid(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, content_digest.data(),
                 static_cast<int>(content_digest.size()), "messageDigest");
    if (options.nonce)
        add_attr_oid(si, kOidRandomNonce, V_ASN1_OCTET_STRING, options.nonce->data(),
                     static_cast<int>(options.nonce->size()), "randomNonce");
    if (options.card_serial)
        add_attr_oid(si, kOidCardSerial, V_ASN1_PRINTABLESTRING, options.card_serial->data(),
                     static_cast<int>(options.card_serial->size()), "card serial");

    if (content) {
        ASN1_OCTET_STRING** pos = CMS_get0_content(cms.get());
        if (pos == nullptr) throw PkcsError(ErrorCode::Internal, "CMS has no content slot");
        Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
        if (!value || ASN1_OCTET_STRING_set(value.get(), content->data(),
                                            static_cast<int>(content->size())) != 1)
            throw_openssl(ErrorCode::Crypto, "setting the content failed");
        ASN1_OCTET_STRING_free(*pos);
        *pos = value.release();
    } else if (CMS_set_detached(cms.get(), 1) != 1) {
        throw_openssl(ErrorCode::Crypto, "CMS_set_detached failed");
    }

    // What the signer signs: the hash of the DER SET OF signed attributes.
    const Bytes attrs_der = cmsdetail::signed_attributes_der(si);
    const Bytes to_sign = digest(options.hash, attrs_der);
    Bytes signature = signer.sign_digest(to_sign, options.hash, scheme);
    if (scheme == SignatureScheme::Ecdsa) signature = ecdsa_signature_to_der(signature, public_key);
    if (options.check_signature &&
        !raw_verify(public_key, to_sign, options.hash, scheme, signature))
        throw PkcsError(ErrorCode::Crypto,
                        "the signer returned a signature that does not verify with the "
                        "certificate's public key (wrong key or card?)");
    set_signature_algorithm(si, options.hash, scheme);
    if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature.data(),
                        static_cast<int>(signature.size())) != 1)
        throw_openssl(ErrorCode::Crypto, "setting the signature failed");

    unsigned char* der = nullptr;
    int len = i2d_CMS_ContentInfo(cms.get(), &der);
    if (len <= 0) throw_openssl(ErrorCode::Crypto, "encoding the CMS failed");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace

ExternalSigner software_signer(Certificate certificate, EvpPkeyPtr private_key) {
    if (!private_key) throw PkcsError(ErrorCode::InvalidArgument, "no private key");
    if (EVP_PKEY_eq(certificate.public_key(), private_key.get()) != 1) {
        drain_openssl_errors();
        throw PkcsError(ErrorCode::InvalidArgument,
                        "the private key does not belong to the certificate");
    }
    std::shared_ptr<EVP_PKEY> key(private_key.release(), EVP_PKEY_free);
    return ExternalSigner{std::move(certificate),
                          [key](ByteView digest, HashAlgorithm alg, SignatureScheme scheme) {
                              return raw_sign(key.get(), digest, alg, scheme);
                          }};
}

Bytes cms_sign(ByteView content, const ExternalSigner& signer, const CmsSignOptions& options) {
    const Bytes content_digest = digest(options.hash, content);
    return build_signed_data(content_digest,
                             options.detached ? std::nullopt : std::optional<ByteView>(content),
                             signer, options);
}

Bytes cms_sign_digest(ByteView content_digest, const ExternalSigner& signer,
                      const CmsSignOptions& options) {
    return build_signed_data(content_digest, std::nullopt, signer, options);
}

std::string cms_der_to_pem(ByteView der) {
    const unsigned char* p = der.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms || p != der.data() + der.size())
        throw_openssl(ErrorCode::Malformed, "not a DER CMS structure");
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio(bio.get(), "CMS", "", der.data(), static_cast<long>(der.size())) <= 0)
        throw_openssl(ErrorCode::Crypto, "PEM encoding of the CMS failed");
    return bio_contents(bio.get());
}

}  // namespace pkibridge::pkcs
