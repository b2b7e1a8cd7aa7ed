#include "pkibridge/vcard/apdu.hpp"

#include <cstdio>

#include "pkibridge/vcard/errors.hpp"

namespace pkibridge::vcard {

namespace {

std::size_t be16(ByteView b, std::size_t at) {
    return static_cast<std::size_t>(b[at]) << 8 | b[at + 1];
}

[[noreturn]] void malformed(const char* why) {
    throw StatusError(sw::kWrongLength, why);
}

}  // namespace

// ISO 7816-3 section 12.1.3: the length of the whole command decides between the four
// cases; a first length byte of 00 (with more bytes following) announces extended form.
CommandApdu parse_command(ByteView raw) {
    if (raw.size() < 4) malformed("command shorter than its header");
    CommandApdu cmd;
    cmd.cla = raw[0];
    cmd.ins = raw[1];
    cmd.p1 = raw[2];
    cmd.p2 = raw[3];
    const std::size_t body = raw.size() - 4;
    if (body == 0) return cmd;  // case 1
    if (body == 1) {            // case 2 short
        cmd.le_present = true;
        cmd.ne = raw[4] == 0 ? 256 : raw[4];
        return cmd;
    }
    if (raw[4] != 0) {  // case 3 or 4 short
        const std::size_t lc = raw[4];
        if (body == 1 + lc) {
        } else if (body == 2 + lc) {
            cmd.le_present = true;
            cmd.ne = raw.back() == 0 ? 256 : raw.back();
        } else {
            malformed("Lc does not match the command length");
        }
        cmd.data.assign(raw.begin() + 5, raw.begin() + 5 + static_cast<std::ptrdiff_t>(lc));
        return cmd;
    }
    // Extended length: 00 followed by two length bytes.
    cmd.extended = true;
    if (body < 3) malformed("truncated extended length");
    if (body == 3) {  // case 2 extended
        cmd.le_present = true;
        std::size_t le = be16(raw, 5);
        cmd.ne = le == 0 ? 65536 : le;
        return cmd;
    }
    const std::size_t lc = be16(raw, 5);
    if (lc == 0) malformed("extended Lc of zero");
    if (body == 3 + lc) {
    } else if (body == 5 + lc) {
        cmd.le_present = true;
        std::size_t le = be16(raw, raw.size() - 2);
        cmd.ne = le == 0 ? 65536 : le;
    } else {
        malformed("extended Lc does not match the command length");
    }
    cmd.data.assign(raw.begin() + 7, raw.begin() + 7 + static_cast<std::ptrdiff_t>(lc));
    return cmd;
}

Bytes make_response(ByteView data, std::uint16_t status) {
    Bytes out(data.begin(), data.end());
    out.push_back(static_cast<std::uint8_t>(status >> 8));
    out.push_back(static_cast<std::uint8_t>(status & 0xFF));
    return out;
}

std::string sw_hex(std::uint16_t status) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04x", status);
    return buf;
}

}  // namespace pkibridge::vcard
