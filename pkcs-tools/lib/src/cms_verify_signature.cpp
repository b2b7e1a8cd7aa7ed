// The cryptographic half of CMS verification: signer, algorithms, signed attributes,
// signature and content digest. No trust decision here (see cms_verify.cpp).
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <functional>
#include <string>

#include "cms_attributes.hpp"
#include "cms_parse_internal.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {
namespace {

using cmsdetail::cms_object_name;
using cmsdetail::cms_oid_text;
using cmsdetail::read_signed_attributes;
using cmsdetail::single_signed_value;
using cmsdetail::string_bytes;

using RsaPssParamsPtr = OsslPtr<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free>;

// Thrown inside this file to end the check of a SignerInfo with a status.
struct Rejection {
    ValidationStatus status;
    std::string message;
};

struct BorrowedX509Stack {
    void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }
};

struct Algorithms {
    HashAlgorithm hash;
    SignatureScheme scheme;
    std::string signature_name;
};

// Digest and signature algorithms of a SignerInfo; only SHA-2 digests and the three
// schemes this project signs with are accepted, with the hash used consistently.
Algorithms read_algorithms(const X509_ALGOR* digest_alg, const X509_ALGOR* sig_alg, EVP_PKEY* key,
                           CmsSignatureResult& out) {
    const ASN1_OBJECT* dobj = nullptr;
    X509_ALGOR_get0(&dobj, nullptr, nullptr, digest_alg);
    out.digest_algorithm_name = cms_object_name(dobj);
    auto hash = hash_from_nid(OBJ_obj2nid(dobj));
    if (!hash)
        throw Rejection{ValidationStatus::UnsupportedAlgorithm,
                        "digest algorithm " + out.digest_algorithm_name +
                            " is not accepted (SHA-256, SHA-384, SHA-512 only)"};
    out.digest_algorithm = hash;

    const ASN1_OBJECT* sobj = nullptr;
    int ptype = 0;
    const void* pval = nullptr;
    X509_ALGOR_get0(&sobj, &ptype, &pval, sig_alg);
    const int nid = OBJ_obj2nid(sobj);
    out.signature_algorithm_name = cms_object_name(sobj);
    auto unsupported = [&](const std::string& why) {
        return Rejection{ValidationStatus::UnsupportedAlgorithm,
                         "signature algorithm " + out.signature_algorithm_name + ": " + why};
    };
    SignatureScheme scheme;
    if (nid == NID_rsaEncryption) {
        scheme = SignatureScheme::RsaPkcs1;
    } else if (nid == NID_X9_62_id_ecPublicKey) {
        scheme = SignatureScheme::Ecdsa;
    } else if (nid == NID_rsassaPss) {
        scheme = SignatureScheme::RsaPss;
        if (ptype != V_ASN1_SEQUENCE) throw unsupported("RSASSA-PSS parameters missing");
        ASN1_TYPE param;
        param.type = V_ASN1_SEQUENCE;
        param.value.sequence = const_cast<ASN1_STRING*>(static_cast<const ASN1_STRING*>(pval));
        RsaPssParamsPtr pss(static_cast<RSA_PSS_PARAMS*>(
            ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), &param)));
        if (!pss) {
            drain_openssl_errors();
            throw unsupported("invalid RSASSA-PSS parameters");
        }
        // Absent hashAlgorithm means SHA-1 (RFC 4055), which is refused.
        const ASN1_OBJECT* h = nullptr;
        if (pss->hashAlgorithm != nullptr)
            X509_ALGOR_get0(&h, nullptr, nullptr, pss->hashAlgorithm);
        if (h == nullptr || hash_from_nid(OBJ_obj2nid(h)) != hash)
            throw unsupported("the PSS hash differs from the digest algorithm");
    } else {
        int md_nid = NID_undef, pk_nid = NID_undef;
        if (OBJ_find_sigid_algs(nid, &md_nid, &pk_nid) != 1)
            throw unsupported("not a known signature algorithm");
        if (pk_nid == NID_rsaEncryption)
            scheme = SignatureScheme::RsaPkcs1;
        else if (pk_nid == NID_X9_62_id_ecPublicKey)
            scheme = SignatureScheme::Ecdsa;
        else
            throw unsupported("only RSA and ECDSA are accepted");
        if (hash_from_nid(md_nid) != hash)
            throw unsupported("its hash differs from the digest algorithm " +
                              out.digest_algorithm_name);
    }
    out.scheme = scheme;
    try {
        check_scheme_fits_key(scheme, key);
    } catch (const PkcsError& e) {
        throw Rejection{ValidationStatus::SignatureInvalid, e.what()};
    }
    return {*hash, scheme, std::string(scheme_name(scheme))};
}

// signingCertificate(V2) must name the signer (RFC 5035, RFC 2634).
void check_ess(CMS_SignerInfo* si, X509* signer, const std::vector<Certificate>& embedded) {
    std::unique_ptr<STACK_OF(X509), BorrowedX509Stack> chain(sk_X509_new_null());
    if (!chain || sk_X509_push(chain.get(), signer) <= 0)
        throw Rejection{ValidationStatus::InternalError, "allocation failed"};
    for (const Certificate& c : embedded)
        if (X509_cmp(c.native(), signer) != 0) sk_X509_push(chain.get(), c.native());
    OsslPtr<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free> v2;
    OsslPtr<ESS_SIGNING_CERT, ESS_SIGNING_CERT_free> v1;
    if (const ASN1_TYPE* t = single_signed_value(si, NID_id_smime_aa_signingCertificateV2, {},
                                                 "signingCertificateV2")) {
        if (t->type != V_ASN1_SEQUENCE)
            throw Rejection{ValidationStatus::Malformed, "signingCertificateV2 is not a SEQUENCE"};
        const unsigned char* p = t->value.sequence->data;
        v2.reset(d2i_ESS_SIGNING_CERT_V2(nullptr, &p, t->value.sequence->length));
        if (!v2) throw Rejection{ValidationStatus::Malformed, "signingCertificateV2 is invalid"};
    }
    if (const ASN1_TYPE* t =
            single_signed_value(si, NID_id_smime_aa_signingCertificate, {}, "signingCertificate")) {
        if (t->type != V_ASN1_SEQUENCE)
            throw Rejection{ValidationStatus::Malformed, "signingCertificate is not a SEQUENCE"};
        const unsigned char* p = t->value.sequence->data;
        v1.reset(d2i_ESS_SIGNING_CERT(nullptr, &p, t->value.sequence->length));
        if (!v1) throw Rejection{ValidationStatus::Malformed, "signingCertificate is invalid"};
    }
    if (!v1 && !v2) return;
    if (OSSL_ESS_check_signing_certs(v1.get(), v2.get(), chain.get(), 0) <= 0) {
        std::string detail = drain_openssl_errors();
        throw Rejection{ValidationStatus::SignerMismatch,
                        "the signingCertificate attribute does not match the signer certificate" +
                            (detail.empty() ? "" : " (" + detail + ")")};
    }
}

// Checks one SignerInfo against the content digest (of its own digest algorithm).
void check_signer(CMS_ContentInfo* cms, CMS_SignerInfo* si, CmsSignatureResult& out,
                  const std::function<Bytes(HashAlgorithm)>& content_digest) {
    EVP_PKEY* key = nullptr;
    X509* signer = nullptr;
    X509_ALGOR* digest_alg = nullptr;
    X509_ALGOR* sig_alg = nullptr;
    CMS_SignerInfo_get0_algs(si, &key, &signer, &digest_alg, &sig_alg);
    if (signer == nullptr || key == nullptr)
        throw Rejection{ValidationStatus::NoSigner,
                        "the signer certificate is not in the CMS (certificates must be "
                        "embedded)"};
    if (X509_up_ref(signer) != 1) throw Rejection{ValidationStatus::InternalError, "X509_up_ref"};
    out.signer.emplace(X509Ptr(signer));
    const Algorithms algs = read_algorithms(digest_alg, sig_alg, key, out);
    out.attributes = read_signed_attributes(si);

    const Bytes computed = content_digest(algs.hash);
    if (out.attributes.present) {
        if (CMS_SignerInfo_verify(si) != 1) {
            std::string detail = drain_openssl_errors();
            throw Rejection{ValidationStatus::SignatureInvalid,
                            "the signature over the signed attributes does not verify with " +
                                out.signer->subject()};
        }
        if (!out.attributes.content_type || !out.attributes.message_digest)
            throw Rejection{ValidationStatus::Malformed,
                            "signed attributes lack contentType or messageDigest"};
        if (*out.attributes.content_type != out.content_type)
            throw Rejection{ValidationStatus::ContentMismatch,
                            "the contentType attribute differs from the encapsulated content type"};
        if (*out.attributes.message_digest != computed)
            throw Rejection{ValidationStatus::ContentMismatch,
                            "the content does not match the signed messageDigest"};
        check_ess(si, signer, out.embedded_certificates);
    } else {
        // No signed attributes: the signature is over the content digest itself.
        const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
        if (!raw_verify(key, computed, algs.hash, algs.scheme, string_bytes(sig)))
            throw Rejection{
                ValidationStatus::SignatureInvalid,
                "the signature over the content does not verify with " + out.signer->subject()};
    }
    (void)cms;
}

CmsSignatureResult verify_impl(ByteView cms_data, std::optional<ByteView> detached,
                               std::optional<std::pair<ByteView, HashAlgorithm>> given_digest,
                               const std::vector<const Certificate*>& known) {
    CmsSignatureResult out;
    CmsPtr cms;
    try {
        cms = cmsdetail::parse_cms_reusing(cmsdetail::cms_input_der(cms_data), known);
    } catch (const PkcsError& e) {
        out.status = ValidationStatus::Malformed;
        out.message = e.what();
        return out;
    }
    try {
        out.content_type = cms_oid_text(CMS_get0_eContentType(cms.get()));
        out.detached = CMS_is_detached(cms.get()) == 1;
        if (X509StackPtr certs{CMS_get1_certs(cms.get())}) {
            for (int i = 0; i < sk_X509_num(certs.get()); ++i) {
                X509* c = sk_X509_value(certs.get(), i);
                X509_up_ref(c);
                out.embedded_certificates.emplace_back(X509Ptr(c));
            }
        }
        if (!out.detached) {
            ASN1_OCTET_STRING** pos = CMS_get0_content(cms.get());
            if (pos == nullptr || *pos == nullptr)
                throw Rejection{ValidationStatus::Malformed, "the CMS has no content slot"};
            out.content = string_bytes(*pos);
            if (detached && !std::equal(detached->begin(), detached->end(), out.content->begin(),
                                        out.content->end()))
                throw Rejection{ValidationStatus::ContentMismatch,
                                "the CMS carries its own content, which differs from the "
                                "content supplied"};
        } else if (detached) {
            out.content = Bytes(detached->begin(), detached->end());
        } else if (!given_digest) {
            throw Rejection{ValidationStatus::ContentMissing,
                            "the signature is detached: supply the signed content"};
        }

        STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
        out.signer_count =
            infos == nullptr ? 0 : static_cast<std::size_t>(sk_CMS_SignerInfo_num(infos));
        if (out.signer_count == 0)
            throw Rejection{ValidationStatus::NoSigner, "the CMS has no SignerInfo"};
        // Finds each signer's certificate among the embedded ones (issuerAndSerialNumber
        // or subjectKeyIdentifier).
        if (CMS_set1_signers_certs(cms.get(), nullptr, 0) < 0) drain_openssl_errors();

        auto content_digest = [&](HashAlgorithm alg) -> Bytes {
            if (given_digest && !out.content) {
                if (given_digest->second != alg)
                    throw Rejection{ValidationStatus::ContentMismatch,
                                    "the signature uses " + std::string(hash_name(alg)) +
                                        ", the supplied digest is " +
                                        std::string(hash_name(given_digest->second))};
                return Bytes(given_digest->first.begin(), given_digest->first.end());
            }
            return digest(alg, *out.content);
        };
        for (std::size_t i = 0; i < out.signer_count; ++i) {
            CmsSignatureResult each;
            each.content_type = out.content_type;
            each.embedded_certificates = out.embedded_certificates;
            CmsSignatureResult& target = i == 0 ? out : each;
            check_signer(cms.get(), sk_CMS_SignerInfo_value(infos, static_cast<int>(i)), target,
                         content_digest);
        }
        out.status = ValidationStatus::Valid;
        out.message = out.signer_count == 1
                          ? "the signature is valid"
                          : "all " + std::to_string(out.signer_count) + " signatures are valid";
    } catch (const Rejection& r) {
        out.status = r.status;
        out.message = r.message;
    } catch (const PkcsError& e) {
        out.status = e.code() == ErrorCode::Malformed ? ValidationStatus::Malformed
                                                      : ValidationStatus::InternalError;
        out.message = e.what();
    }
    drain_openssl_errors();
    return out;
}

}  // namespace

CmsSignatureResult verify_cms_signature(ByteView cms, std::optional<ByteView> detached_content) {
    return verify_impl(cms, detached_content, std::nullopt, {});
}

CmsSignatureResult verify_cms_signature(ByteView cms, std::optional<ByteView> detached_content,
                                        const std::vector<Certificate>& known_certificates) {
    std::vector<const Certificate*> known;
    for (const Certificate& c : known_certificates) known.push_back(&c);
    return verify_impl(cms, detached_content, std::nullopt, known);
}

namespace cmsdetail {
CmsSignatureResult verify_cms_signature_known(
    ByteView cms, std::optional<ByteView> detached,
    std::optional<std::pair<ByteView, HashAlgorithm>> digest,
    const std::vector<const Certificate*>& known) {
    return verify_impl(cms, detached, digest, known);
}
}  // namespace cmsdetail

CmsSignatureResult verify_cms_signature_digest(ByteView cms, ByteView content_digest,
                                               HashAlgorithm alg) {
    if (content_digest.size() != hash_size(alg)) {
        CmsSignatureResult out;
        out.status = ValidationStatus::ContentMismatch;
        out.message =
            "the supplied digest does not have the length of " + std::string(hash_name(alg));
        return out;
    }
    return verify_impl(cms, std::nullopt, std::make_pair(content_digest, alg), {});
}

}  // namespace pkibridge::pkcs
