// BER-TLV as PIV uses it (SP 800-73-4 part 1 and 2: tags such as 0x53, 0x5FC102, 0x7F49,
// lengths in the 81/82/83 long forms). Tags are held as their raw bytes, big-endian, in a
// uint32 (0x5FC102), which is how the specification and the logs write them. Header
// encoding and decoding go through OpenSSL (ASN1_get_object / ASN1_put_object).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::vcard {

using pkcs::Bytes;
using pkcs::ByteView;

struct Tlv {
    std::uint32_t tag = 0;
    ByteView value;  // points into the parsed buffer
};

// Splits a buffer into consecutive TLVs. Throws StatusError(0x6A80) on a truncated or
// malformed header, a length beyond the buffer or an indefinite length.
std::vector<Tlv> parse_tlvs(ByteView data);
// The first TLV with this tag in a list parsed from data, if any.
std::optional<ByteView> find_tlv(const std::vector<Tlv>& tlvs, std::uint32_t tag);
// Exactly one TLV spanning the whole buffer with the expected tag; else StatusError(6A80).
ByteView expect_single_tlv(ByteView data, std::uint32_t tag);

// Appends tag || length || value.
void append_tlv(Bytes& out, std::uint32_t tag, ByteView value);
Bytes make_tlv(std::uint32_t tag, ByteView value);

// Tag bytes as they appear on the wire (0x5FC102 -> 5F C1 02).
Bytes tag_bytes(std::uint32_t tag);
// The reverse for a complete tag (1..3 bytes); nullopt if the bytes are not one tag.
std::optional<std::uint32_t> tag_from_bytes(ByteView bytes);

}  // namespace pkibridge::vcard
