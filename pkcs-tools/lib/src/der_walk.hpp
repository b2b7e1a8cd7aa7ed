// Internal: stepping through DER with OpenSSL's ASN1_get_object/ASN1_put_object, for the
// places where decoding a whole structure into objects would cost too much memory
// (CRLs with a million entries).
#pragma once

#include <cstdint>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs::certdetail {

struct Tlv {
    int tag = 0;
    int xclass = 0;  // V_ASN1_UNIVERSAL, V_ASN1_CONTEXT_SPECIFIC, ...
    bool constructed = false;
    const std::uint8_t* begin = nullptr;    // first header byte
    const std::uint8_t* content = nullptr;  // first content byte
    const std::uint8_t* end = nullptr;      // one past the content
    std::size_t size() const { return static_cast<std::size_t>(end - begin); }
    std::size_t content_size() const { return static_cast<std::size_t>(end - content); }
    bool is(int universal_tag) const;
};

// Reads one definite-length TLV starting at p (which must be < limit) and moves p past
// it. Throws PkcsError(Malformed) naming `what` on a bad or truncated header.
Tlv read_tlv(const std::uint8_t*& p, const std::uint8_t* limit, const char* what);

// Appends a DER header (tag, class, constructed) for a content of `length` bytes.
void append_header(Bytes& out, int tag, int xclass, bool constructed, std::size_t length);

}  // namespace pkibridge::pkcs::certdetail
