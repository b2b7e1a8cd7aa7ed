#include "token_mint.hpp"

#include <openssl/cms.h>
#include <openssl/pem.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::testing {

using namespace pkibridge::pkcs;

EvpPkeyPtr load_private_key(const std::filesystem::path& path) {
    Bytes pem = read_file(path);
    BioPtr bio = memory_bio(pem.data(), pem.size());
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw_openssl(ErrorCode::Malformed, "reading private key " + path.string());
    return key;
}

std::string auth_content(const MintOptions& o) {
    if (o.raw_content) return *o.raw_content;
    nlohmann::json content = {{"format", o.content_format},
                              {"origin", o.origin},
                              {"nonce", o.nonce},
                              {"issuedAt", o.issued_at.value_or(format_rfc3339(now_unix()))}};
    return content.dump();
}

namespace {

Bytes reencode(CMS_ContentInfo* cms) {
    unsigned char* out = nullptr;
    int len = i2d_CMS_ContentInfo(cms, &out);
    if (len <= 0) throw_openssl(ErrorCode::Crypto, "i2d_CMS_ContentInfo");
    Bytes der(out, out + len);
    OPENSSL_free(out);
    return der;
}

Bytes tamper(const Bytes& der, const std::string& how, const std::string& content) {
    const unsigned char* p = der.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) throw_openssl(ErrorCode::Malformed, "re-reading the CMS");
    if (how == "content") {
        ASN1_OCTET_STRING** pos = CMS_get0_content(cms.get());
        if (!pos || !*pos) throw PkcsError(ErrorCode::InvalidArgument, "no content to tamper");
        // Same JSON fields, one more space: still parses, no longer matches the digest.
        std::string changed = content + " ";
        ASN1_OCTET_STRING_set(*pos, reinterpret_cast<const unsigned char*>(changed.data()),
                              static_cast<int>(changed.size()));
    } else if (how == "signature") {
        auto* signers = CMS_get0_SignerInfos(cms.get());
        CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
        ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
        Bytes value(ASN1_STRING_get0_data(sig),
                    ASN1_STRING_get0_data(sig) + ASN1_STRING_length(sig));
        value[value.size() / 2] ^= 0x01;
        ASN1_OCTET_STRING_set(sig, value.data(), static_cast<int>(value.size()));
    } else {
        throw PkcsError(ErrorCode::InvalidArgument, "tamper must be content or signature");
    }
    return reencode(cms.get());
}

}  // namespace

nlohmann::json mint_token(const ExternalSigner& signer, const MintOptions& o) {
    const std::string content = auth_content(o);
    CmsSignOptions options;
    options.detached = o.detached;
    options.chain = o.chain;
    Bytes cms = cms_sign(as_bytes(content), signer, options);
    if (o.tamper) cms = tamper(cms, *o.tamper, content);
    const Certificate& cert = o.token_certificate ? *o.token_certificate : signer.certificate;
    return {{"format", o.token_format},
            {"certificate", base64_encode(cert.der())},
            {"pkcs7", base64_encode(cms)}};
}

}  // namespace pkibridge::testing
