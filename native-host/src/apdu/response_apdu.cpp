#include "apdu/response_apdu.hpp"

#include <cstdio>

#include "apdu/apdu_error.hpp"

namespace pkibridge::host::apdu {

ResponseApdu parse_response(pkcs::ByteView raw) {
    if (raw.size() < 2)
        throw MalformedResponse("the card's response is shorter than the two status bytes");
    ResponseApdu r;
    r.data.assign(raw.begin(), raw.end() - 2);
    r.sw = static_cast<std::uint16_t>((raw[raw.size() - 2] << 8) | raw[raw.size() - 1]);
    return r;
}

std::string sw_hex(std::uint16_t sw) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(sw));
    return buf;
}

}  // namespace pkibridge::host::apdu
