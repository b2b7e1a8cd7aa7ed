#include "piv/piv_objects.hpp"

#include <cctype>

#include "apdu/apdu_error.hpp"
#include "apdu/tlv.hpp"
#include "piv/gunzip.hpp"
#include "piv/piv_constants.hpp"

namespace pkibridge::host::piv {

apdu::CommandApdu select_command() {
    apdu::CommandApdu c;
    c.ins = kInsSelect;
    c.p1 = 0x04;
    c.data.assign(kPivAid.begin(), kPivAid.end());
    c.le = 256;
    return c;
}

apdu::CommandApdu get_data_command(std::uint32_t tag) {
    apdu::CommandApdu c;
    c.ins = kInsGetData;
    c.p1 = 0x3F;
    c.p2 = 0xFF;
    c.data = {0x5C, 0x03, static_cast<std::uint8_t>(tag >> 16), static_cast<std::uint8_t>(tag >> 8),
              static_cast<std::uint8_t>(tag)};
    c.le = 256;
    return c;
}

apdu::CommandApdu verify_command(const SecureBytes* block) {
    apdu::CommandApdu c;
    c.ins = kInsVerify;
    c.p2 = kPinReference;
    if (block) c.data = *block;
    return c;
}

apdu::CommandApdu reset_verify_command() {
    apdu::CommandApdu c;
    c.ins = kInsVerify;
    c.p1 = 0xFF;
    c.p2 = kPinReference;
    return c;
}

apdu::CommandApdu general_authenticate_command(std::uint8_t algorithm, std::uint8_t key_ref,
                                               pkcs::ByteView challenge) {
    pkcs::Bytes inner;
    apdu::append_tlv(inner, 0x82, {});
    apdu::append_tlv(inner, 0x81, challenge);
    apdu::CommandApdu c;
    c.ins = kInsGeneralAuthenticate;
    c.p1 = algorithm;
    c.p2 = key_ref;
    pkcs::Bytes data;
    apdu::append_tlv(data, 0x7C, inner);
    c.data.assign(data.begin(), data.end());
    c.le = 256;
    return c;
}

SecureBytes pin_block(std::string_view pin) {
    SecureBytes block(kPinBlockSize, 0xFF);
    for (std::size_t i = 0; i < pin.size() && i < kPinBlockSize; ++i)
        block[i] = static_cast<std::uint8_t>(pin[i]);
    return block;
}

pkcs::Bytes parse_certificate_object(pkcs::ByteView object) {
    const apdu::Tlv outer = apdu::expect_tlv(object, 0x53, "certificate object");
    std::optional<apdu::Tlv> cert, info;
    apdu::TlvReader reader(outer.value);
    while (!reader.at_end()) {
        const apdu::Tlv tlv = reader.next();
        if (tlv.tag == 0x70 && !cert)
            cert = tlv;
        else if (tlv.tag == 0x71 && !info)
            info = tlv;
    }
    if (!cert || cert->value.empty())
        throw apdu::MalformedResponse(
            "the card's certificate object holds no certificate (tag 70)");
    const bool compressed = info && !info->value.empty() && (info->value[0] & 0x01);
    if (compressed) return gunzip(cert->value, kMaxCertificateBytes);
    if (cert->value.size() > kMaxCertificateBytes)
        throw apdu::MalformedResponse("the card's certificate is larger than 16 KiB");
    return pkcs::Bytes(cert->value.begin(), cert->value.end());
}

Chuid parse_chuid(pkcs::ByteView object) {
    const apdu::Tlv outer = apdu::expect_tlv(object, 0x53, "CHUID");
    Chuid chuid;
    apdu::TlvReader reader(outer.value);
    while (!reader.at_end()) {
        const apdu::Tlv tlv = reader.next();
        if (tlv.tag == 0x30)
            chuid.fascn.assign(tlv.value.begin(), tlv.value.end());
        else if (tlv.tag == 0x34)
            chuid.guid.assign(tlv.value.begin(), tlv.value.end());
    }
    return chuid;
}

std::optional<std::string> card_serial_from_chuid(const Chuid& chuid) {
    auto meaningful = [](const pkcs::Bytes& b) {
        for (auto x : b)
            if (x != 0) return true;
        return false;
    };
    std::string hex;
    if (meaningful(chuid.guid))
        hex = pkcs::hex_encode(chuid.guid);
    else if (meaningful(chuid.fascn))
        hex = pkcs::hex_encode(chuid.fascn);
    else
        return std::nullopt;
    for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return hex;
}

pkcs::Bytes parse_general_authenticate_response(pkcs::ByteView response) {
    const apdu::Tlv outer = apdu::expect_tlv(response, 0x7C, "signature response");
    const auto sig = apdu::find_tlv(outer.value, 0x82);
    if (!sig || sig->value.empty())
        throw apdu::MalformedResponse("the card's signature response has no signature (tag 82)");
    return pkcs::Bytes(sig->value.begin(), sig->value.end());
}

PinState interpret_verify_status(std::uint16_t sw) {
    if (sw == 0x9000) return {PinState::Kind::Verified, std::nullopt};
    if ((sw & 0xFFF0) == 0x63C0) {
        const int tries = sw & 0x0F;
        if (tries == 0) return {PinState::Kind::Blocked, 0};
        return {PinState::Kind::WrongOrNotVerified, tries};
    }
    if (sw == 0x6983) return {PinState::Kind::Blocked, 0};
    return {PinState::Kind::Other, std::nullopt};
}

}  // namespace pkibridge::host::piv
