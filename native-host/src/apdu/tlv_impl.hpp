// Template part of tlv.hpp (works for Bytes and SecureBytes).
#pragma once

#include <stdexcept>

namespace pkibridge::host::apdu {

template <class Buffer>
void append_tlv_header(Buffer& out, std::uint32_t tag, std::size_t length) {
    if (tag > 0xFFFF) out.push_back(static_cast<std::uint8_t>(tag >> 16));
    if (tag > 0xFF) out.push_back(static_cast<std::uint8_t>(tag >> 8));
    out.push_back(static_cast<std::uint8_t>(tag));
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
    } else if (length <= 0xFF) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(length));
    } else if (length <= 0xFFFF) {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(length >> 8));
        out.push_back(static_cast<std::uint8_t>(length));
    } else if (length <= 0xFFFFFF) {
        out.push_back(0x83);
        out.push_back(static_cast<std::uint8_t>(length >> 16));
        out.push_back(static_cast<std::uint8_t>(length >> 8));
        out.push_back(static_cast<std::uint8_t>(length));
    } else {
        throw std::invalid_argument("TLV value too long");
    }
}

}  // namespace pkibridge::host::apdu
