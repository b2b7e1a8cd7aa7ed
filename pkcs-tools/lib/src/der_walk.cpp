#include "der_walk.hpp"

#include <openssl/asn1.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs::certdetail {

bool Tlv::is(int universal_tag) const {
    return xclass == V_ASN1_UNIVERSAL && tag == universal_tag;
}

Tlv read_tlv(const std::uint8_t*& p, const std::uint8_t* limit, const char* what) {
    if (p >= limit)
        throw PkcsError(ErrorCode::Malformed, std::string(what) + ": unexpected end of data");
    Tlv tlv;
    tlv.begin = p;
    const unsigned char* q = p;
    long length = 0;
    long avail = static_cast<long>(limit - p);
    int ret = ASN1_get_object(&q, &length, &tlv.tag, &tlv.xclass, avail);
    if (ret & 0x80) {
        drain_openssl_errors();
        throw PkcsError(ErrorCode::Malformed, std::string(what) + ": truncated or invalid DER");
    }
    if (ret == (V_ASN1_CONSTRUCTED | 1))
        throw PkcsError(ErrorCode::Malformed, std::string(what) + ": indefinite length is not DER");
    tlv.constructed = (ret & V_ASN1_CONSTRUCTED) != 0;
    tlv.content = q;
    tlv.end = q + length;
    p = tlv.end;
    return tlv;
}

void append_header(Bytes& out, int tag, int xclass, bool constructed, std::size_t length) {
    if (length > static_cast<std::size_t>(INT32_MAX))
        throw PkcsError(ErrorCode::InvalidArgument, "DER element larger than 2 GiB");
    int header = ASN1_object_size(0, static_cast<int>(length), tag) - static_cast<int>(length);
    if (header <= 0) throw_openssl(ErrorCode::Internal, "ASN1_object_size failed");
    std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(header));
    unsigned char* p = out.data() + at;
    ASN1_put_object(&p, constructed ? 1 : 0, static_cast<int>(length), tag, xclass);
}

}  // namespace pkibridge::pkcs::certdetail
