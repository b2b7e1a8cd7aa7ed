#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <string>

#include "cms_parse_internal.hpp"
#include "pem_der.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::pkcs {
namespace {

// The DER inside the one PEM block of a CMS ("CMS", "PKCS7" or "PKCS #7 SIGNED DATA").
Bytes pem_body(ByteView data) {
    BioPtr bio = memory_bio(data.data(), data.size());
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &der, &len) != 1) {
        std::string detail = drain_openssl_errors();
        throw PkcsError(ErrorCode::Malformed, "CMS: invalid or truncated PEM" +
                                                  (detail.empty() ? "" : " (" + detail + ")"));
    }
    const std::string label = name;
    Bytes out(der, der + len);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    if (label != "CMS" && label != "PKCS7" && label != "PKCS #7 SIGNED DATA")
        throw PkcsError(ErrorCode::Malformed,
                        "CMS: unexpected PEM label '" + label + "' (want CMS or PKCS7)");
    return out;
}

}  // namespace

Bytes cmsdetail::cms_input_der(ByteView data) {
    if (data.empty()) throw PkcsError(ErrorCode::Malformed, "CMS: empty input");
    Bytes der;
    if (detail::looks_like_pem(data)) {
        der = pem_body(data);
    } else if (data[0] == 0x30) {
        der.assign(data.begin(), data.end());
    } else {
        try {
            der = base64_decode(to_string(data));
        } catch (const PkcsError& e) {
            throw PkcsError(
                ErrorCode::Malformed,
                std::string("CMS: input is neither PEM, DER nor base64 (") + e.what() + ")");
        }
        if (der.empty() || der[0] != 0x30)
            throw PkcsError(ErrorCode::Malformed, "CMS: base64 input does not decode to DER");
    }
    return der;
}

CmsPtr parse_cms(ByteView data) {
    return cmsdetail::parse_cms_der(cmsdetail::cms_input_der(data));
}

CmsPtr cmsdetail::parse_cms_der(ByteView der) {
    if (der.size() > static_cast<std::size_t>(INT32_MAX))
        throw PkcsError(ErrorCode::Malformed, "CMS: input larger than 2 GiB");
    const unsigned char* p = der.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) {
        std::string detail = drain_openssl_errors();
        throw PkcsError(ErrorCode::Malformed,
                        "CMS: not a valid ContentInfo (truncated or corrupt DER)" +
                            (detail.empty() ? "" : ": " + detail));
    }
    if (p != der.data() + der.size())
        throw PkcsError(ErrorCode::Malformed, "CMS: trailing data after the ContentInfo");
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
        throw PkcsError(ErrorCode::Malformed, "CMS: content type is not SignedData");
    return cms;
}

}  // namespace pkibridge::pkcs
