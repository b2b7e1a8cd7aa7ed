// BER-TLV as ISO 7816-4 and NIST SP 800-73-4 use it in card data objects: tags of one to three
// bytes, definite lengths up to 0x83 xx xx xx. Parsing returns views into the input and never
// reads past it; anything malformed throws MalformedResponse.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::apdu {

struct Tlv {
    std::uint32_t tag = 0;     // the tag bytes big-endian, e.g. 0x5FC105
    pkcs::ByteView value;      // points into the parsed buffer
    std::size_t encoded_size;  // tag + length + value bytes
};

// Reads consecutive TLVs from a buffer.
class TlvReader {
public:
    explicit TlvReader(pkcs::ByteView input) : input_(input) {}
    bool at_end() const { return offset_ >= input_.size(); }
    Tlv next();  // throws MalformedResponse
    pkcs::ByteView rest() const { return input_.subspan(offset_); }

private:
    pkcs::ByteView input_;
    std::size_t offset_ = 0;
};

// Every TLV at the top level of `input` (the whole input must consist of TLVs).
std::vector<Tlv> parse_tlvs(pkcs::ByteView input);

// The first top-level TLV with `tag`, or nullopt. Throws if the input is malformed up to
// and including that element.
std::optional<Tlv> find_tlv(pkcs::ByteView input, std::uint32_t tag);

// The input must start with one TLV of `tag`; bytes after it are ignored (cards pad).
// Throws MalformedResponse naming `what` otherwise.
Tlv expect_tlv(pkcs::ByteView input, std::uint32_t tag, const char* what);

// Appends tag, definite length and value (lengths up to 0xFFFFFF).
void append_tlv(pkcs::Bytes& out, std::uint32_t tag, pkcs::ByteView value);
template <class Buffer>
void append_tlv_header(Buffer& out, std::uint32_t tag, std::size_t length);

}  // namespace pkibridge::host::apdu

#include "apdu/tlv_impl.hpp"
