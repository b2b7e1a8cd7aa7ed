#include "pkibridge/pkcs/cms_verify.hpp"

#include "cms_parse_internal.hpp"

namespace pkibridge::pkcs {
namespace {

CmsVerifyResult with_path(CmsSignatureResult signature, const TrustStore& trust,
                          const ValidationOptions& options) {
    CmsVerifyResult out;
    out.status = signature.status;
    out.message = signature.message;
    out.signature = std::move(signature);
    if (!out.signature.ok()) return out;
    // Certificates in the CMS only help to build the path: they are never trusted.
    out.path =
        validate_path(*out.signature.signer, out.signature.embedded_certificates, trust, options);
    out.status = out.path.status;
    out.message = out.path.ok() ? "signature valid; " + out.path.message : out.path.message;
    return out;
}

std::vector<const Certificate*> known_from(const TrustStore& trust) {
    std::vector<const Certificate*> known;
    for (const Certificate& c : trust.intermediates) known.push_back(&c);
    for (const Certificate& c : trust.anchors) known.push_back(&c);
    return known;
}

}  // namespace

CmsVerifyResult verify_cms(ByteView cms, std::optional<ByteView> detached_content,
                           const TrustStore& trust, const ValidationOptions& options) {
    return with_path(cmsdetail::verify_cms_signature_known(cms, detached_content, std::nullopt,
                                                           known_from(trust)),
                     trust, options);
}

CmsVerifyResult verify_cms_digest(ByteView cms, ByteView content_digest, HashAlgorithm alg,
                                  const TrustStore& trust, const ValidationOptions& options) {
    if (content_digest.size() != hash_size(alg))
        return with_path(verify_cms_signature_digest(cms, content_digest, alg), trust, options);
    return with_path(cmsdetail::verify_cms_signature_known(
                         cms, std::nullopt, std::make_pair(content_digest, alg), known_from(trust)),
                     trust, options);
}

}  // namespace pkibridge::pkcs
