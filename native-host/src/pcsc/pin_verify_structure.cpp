#include "pcsc/pin_verify_structure.hpp"

#include <stdexcept>

namespace pkibridge::host::pcsc {

SecureBytes build_pin_verify_structure(const PinPadVerifyRequest& r) {
    if (r.verify_apdu.size() < 5) throw std::invalid_argument("PIN pad VERIFY APDU too short");
    SecureBytes s;
    auto u16 = [&](std::uint16_t v) {
        s.push_back(static_cast<std::uint8_t>(v));
        s.push_back(static_cast<std::uint8_t>(v >> 8));
    };
    s.push_back(r.timeout_seconds);  // bTimerOut
    s.push_back(r.timeout_seconds);  // bTimerOut2
    // bmFormatString: units are bytes (bit 7), PIN at offset 0, left justified, ASCII (10b).
    s.push_back(0x82);
    s.push_back(static_cast<std::uint8_t>(r.block_size & 0x0F));          // bmPINBlockString
    s.push_back(0x00);                                                    // bmPINLengthFormat
    u16(static_cast<std::uint16_t>((r.min_digits << 8) | r.max_digits));  // wPINMaxExtraDigit
    s.push_back(0x02);                      // bEntryValidationCondition: the OK key
    s.push_back(0x01);                      // bNumberMessage
    u16(r.language);                        // wLangId
    s.push_back(0x00);                      // bMsgIndex
    s.insert(s.end(), {0x00, 0x00, 0x00});  // bTeoPrologue
    const auto n = static_cast<std::uint32_t>(r.verify_apdu.size());
    s.insert(s.end(), {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
                       static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)});
    s.insert(s.end(), r.verify_apdu.begin(), r.verify_apdu.end());
    return s;
}

}  // namespace pkibridge::host::pcsc
