#include "apdu/tlv.hpp"

#include <cstdio>
#include <string>

#include "apdu/apdu_error.hpp"

namespace pkibridge::host::apdu {
namespace {

std::string tag_hex(std::uint32_t tag) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%X", static_cast<unsigned>(tag));
    return buf;
}

}  // namespace

Tlv TlvReader::next() {
    const std::size_t start = offset_;
    auto need = [&](std::size_t n, const char* what) {
        if (input_.size() - offset_ < n)
            throw MalformedResponse(std::string("card data truncated in a TLV ") + what);
    };
    need(1, "tag");
    std::uint32_t tag = input_[offset_++];
    if ((tag & 0x1F) == 0x1F) {  // multi-byte tag: more bytes while bit 8 is set
        int extra = 0;
        do {
            need(1, "tag");
            if (++extra > 2) throw MalformedResponse("card data has a TLV tag over three bytes");
            tag = (tag << 8) | input_[offset_++];
        } while (tag & 0x80);
    }
    need(1, "length");
    std::size_t length = input_[offset_++];
    if (length == 0x80) throw MalformedResponse("card data uses an indefinite TLV length");
    if (length > 0x80) {
        const std::size_t count = length & 0x7F;
        if (count > 3) throw MalformedResponse("card data has a TLV length over three bytes");
        need(count, "length");
        length = 0;
        for (std::size_t i = 0; i < count; ++i) length = (length << 8) | input_[offset_++];
    }
    need(length, "value");
    Tlv tlv{tag, input_.subspan(offset_, length), 0};
    offset_ += length;
    tlv.encoded_size = offset_ - start;
    return tlv;
}

std::vector<Tlv> parse_tlvs(pkcs::ByteView input) {
    std::vector<Tlv> out;
    TlvReader reader(input);
    while (!reader.at_end()) out.push_back(reader.next());
    return out;
}

std::optional<Tlv> find_tlv(pkcs::ByteView input, std::uint32_t tag) {
    TlvReader reader(input);
    while (!reader.at_end()) {
        Tlv tlv = reader.next();
        if (tlv.tag == tag) return tlv;
    }
    return std::nullopt;
}

Tlv expect_tlv(pkcs::ByteView input, std::uint32_t tag, const char* what) {
    if (input.empty()) throw MalformedResponse(std::string("the card returned an empty ") + what);
    TlvReader reader(input);
    Tlv tlv = reader.next();
    if (tlv.tag != tag)
        throw MalformedResponse(std::string("the card's ") + what + " starts with tag " +
                                tag_hex(tlv.tag) + ", expected " + tag_hex(tag));
    return tlv;
}

void append_tlv(pkcs::Bytes& out, std::uint32_t tag, pkcs::ByteView value) {
    append_tlv_header(out, tag, value.size());
    out.insert(out.end(), value.begin(), value.end());
}

}  // namespace pkibridge::host::apdu
