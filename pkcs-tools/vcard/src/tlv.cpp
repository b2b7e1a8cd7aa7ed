#include "pkibridge/vcard/tlv.hpp"

#include <openssl/asn1.h>

#include <limits>

#include "pkibridge/vcard/apdu.hpp"
#include "pkibridge/vcard/errors.hpp"

namespace pkibridge::vcard {

namespace {

struct TagParts {
    int cls = 0;
    int constructed = 0;
    int number = 0;
};

// Splits raw tag bytes into what ASN1_put_object wants.
TagParts split_tag(std::uint32_t tag) {
    Bytes raw = tag_bytes(tag);
    TagParts parts;
    parts.cls = raw[0] & 0xC0;
    parts.constructed = (raw[0] & 0x20) ? 1 : 0;
    if ((raw[0] & 0x1F) != 0x1F) {
        parts.number = raw[0] & 0x1F;
    } else {
        for (std::size_t i = 1; i < raw.size(); ++i)
            parts.number = parts.number << 7 | (raw[i] & 0x7F);
    }
    return parts;
}

// Number of tag bytes at the start of a header that ASN1_get_object already accepted.
std::size_t tag_length(const std::uint8_t* p, std::size_t header_len) {
    if ((p[0] & 0x1F) != 0x1F) return 1;
    std::size_t n = 1;
    while (n < header_len && (p[n] & 0x80)) ++n;
    return n + 1;
}

}  // namespace

Bytes tag_bytes(std::uint32_t tag) {
    Bytes out;
    bool started = false;
    for (int shift = 24; shift >= 0; shift -= 8) {
        auto b = static_cast<std::uint8_t>(tag >> shift);
        if (b != 0 || started || shift == 0) {
            out.push_back(b);
            started = true;
        }
    }
    return out;
}

std::optional<std::uint32_t> tag_from_bytes(ByteView bytes) {
    if (bytes.empty() || bytes.size() > 3) return std::nullopt;
    std::size_t expected = 1;
    if ((bytes[0] & 0x1F) == 0x1F) {
        expected = 2;
        while (expected <= bytes.size() && (bytes[expected - 1] & 0x80)) ++expected;
    }
    if (expected != bytes.size()) return std::nullopt;
    std::uint32_t tag = 0;
    for (auto b : bytes) tag = tag << 8 | b;
    return tag;
}

std::vector<Tlv> parse_tlvs(ByteView data) {
    std::vector<Tlv> out;
    std::size_t pos = 0;
    while (pos < data.size()) {
        const unsigned char* start = data.data() + pos;
        const unsigned char* p = start;
        const long remaining = static_cast<long>(data.size() - pos);
        long len = 0;
        int tag = 0;
        int cls = 0;
        int ret = ASN1_get_object(&p, &len, &tag, &cls, remaining);
        // 0x80: bad header or a length past the end; 0x21: indefinite length.
        if ((ret & 0x80) || ret == 0x21 || len < 0) {
            throw StatusError(sw::kWrongData, "malformed or truncated TLV");
        }
        const auto header = static_cast<std::size_t>(p - start);
        const std::size_t tlen = tag_length(start, header);
        auto raw_tag = tlen <= header ? tag_from_bytes(ByteView(start, tlen)) : std::nullopt;
        if (!raw_tag) throw StatusError(sw::kWrongData, "unsupported TLV tag");
        const auto vlen = static_cast<std::size_t>(len);
        if (vlen > data.size() - pos - header) throw StatusError(sw::kWrongData, "truncated TLV");
        out.push_back({*raw_tag, ByteView(p, vlen)});
        pos += header + vlen;
    }
    return out;
}

std::optional<ByteView> find_tlv(const std::vector<Tlv>& tlvs, std::uint32_t tag) {
    for (const auto& t : tlvs)
        if (t.tag == tag) return t.value;
    return std::nullopt;
}

ByteView expect_single_tlv(ByteView data, std::uint32_t tag) {
    auto tlvs = parse_tlvs(data);
    if (tlvs.size() != 1 || tlvs[0].tag != tag)
        throw StatusError(sw::kWrongData,
                          "expected one TLV with tag " + pkcs::hex_encode(tag_bytes(tag)));
    return tlvs[0].value;
}

void append_tlv(Bytes& out, std::uint32_t tag, ByteView value) {
    if (value.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw StatusError(sw::kNotEnoughMemory, "TLV value too large");
    const TagParts parts = split_tag(tag);
    const int len = static_cast<int>(value.size());
    const int total = ASN1_object_size(parts.constructed, len, parts.number);
    if (total < 0) throw StatusError(sw::kUnknown, "cannot size TLV");
    const std::size_t header = static_cast<std::size_t>(total) - value.size();
    const std::size_t at = out.size();
    out.resize(at + header);
    unsigned char* p = out.data() + at;
    ASN1_put_object(&p, parts.constructed, len, parts.number, parts.cls);
    out.insert(out.end(), value.begin(), value.end());
}

Bytes make_tlv(std::uint32_t tag, ByteView value) {
    Bytes out;
    append_tlv(out, tag, value);
    return out;
}

}  // namespace pkibridge::vcard
