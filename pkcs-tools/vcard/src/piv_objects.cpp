#include "pkibridge/vcard/piv_objects.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace pkibridge::vcard {

namespace {

ByteView text(std::string_view s) {
    return pkcs::as_bytes(s);
}

const Bytes kEmpty;

// FASC-N character codes besides the digits 0..9.
constexpr std::uint8_t kStartSentinel = 0x0B;
constexpr std::uint8_t kFieldSeparator = 0x0D;
constexpr std::uint8_t kEndSentinel = 0x0F;

void check_digits(std::string_view field, std::size_t width, const char* name) {
    bool ok = field.size() == width;
    for (char c : field) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    if (!ok) {
        throw VcardError(
            VcardErrorCode::InvalidArgument,
            std::string("FASC-N ") + name + " must be " + std::to_string(width) + " digits");
    }
}

}  // namespace

Bytes application_property_template() {
    static const std::array<std::uint8_t, 6> pix = {0x00, 0x00, 0x10, 0x00, 0x01, 0x00};
    Bytes inner;
    append_tlv(inner, 0x4F, pix);
    append_tlv(inner, 0x79, make_tlv(0x4F, ByteView(piv::kAid.data(), 5)));
    append_tlv(inner, 0x50, text("pkibridge virtual PIV"));
    return make_tlv(0x61, inner);
}

Bytes encode_fascn(const Fascn& f) {
    check_digits(f.agency_code, 4, "agency code");
    check_digits(f.system_code, 4, "system code");
    check_digits(f.credential_number, 6, "credential number");
    check_digits(f.credential_series, 1, "credential series");
    check_digits(f.individual_credential_issue, 1, "individual credential issue");
    check_digits(f.person_identifier, 10, "person identifier");
    check_digits(f.organizational_category, 1, "organizational category");
    check_digits(f.organizational_identifier, 4, "organizational identifier");
    check_digits(f.person_association, 1, "person/organization association");

    std::vector<std::uint8_t> chars{kStartSentinel};
    auto digits = [&](const std::string& s) {
        for (char c : s) chars.push_back(static_cast<std::uint8_t>(c - '0'));
    };
    digits(f.agency_code);
    chars.push_back(kFieldSeparator);
    digits(f.system_code);
    chars.push_back(kFieldSeparator);
    digits(f.credential_number);
    chars.push_back(kFieldSeparator);
    digits(f.credential_series);
    chars.push_back(kFieldSeparator);
    digits(f.individual_credential_issue);
    chars.push_back(kFieldSeparator);
    digits(f.person_identifier);
    digits(f.organizational_category);
    digits(f.organizational_identifier);
    digits(f.person_association);
    chars.push_back(kEndSentinel);
    std::uint8_t lrc = 0;
    for (auto c : chars) lrc ^= c;
    chars.push_back(lrc);

    // Each character: its four data bits least significant first, then an odd parity bit;
    // the 200 bits are packed most significant bit first.
    Bytes out(25, 0);
    std::size_t bit = 0;
    auto put = [&](int b) {
        if (b) out[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
        ++bit;
    };
    for (auto c : chars) {
        int ones = 0;
        for (int i = 0; i < 4; ++i) {
            int b = (c >> i) & 1;
            ones += b;
            put(b);
        }
        put(ones % 2 == 0 ? 1 : 0);
    }
    return out;
}

Bytes make_chuid(ByteView fascn, ByteView guid, std::string_view expiry_yyyymmdd) {
    Bytes v;
    append_tlv(v, 0x30, fascn);
    append_tlv(v, 0x34, guid);
    append_tlv(v, 0x35, text(expiry_yyyymmdd));
    append_tlv(v, 0x3E, kEmpty);
    append_tlv(v, 0xFE, kEmpty);
    return v;
}

std::optional<Bytes> chuid_guid(ByteView chuid) {
    try {
        auto tlvs = parse_tlvs(chuid);
        if (auto guid = find_tlv(tlvs, 0x34)) return Bytes(guid->begin(), guid->end());
    } catch (const StatusError&) {
    }
    return std::nullopt;
}

Bytes make_ccc(ByteView random14) {
    Bytes id = {0xA0, 0x00, 0x00, 0x01, 0x16, 0xFF, 0x02};
    id.insert(id.end(), random14.begin(), random14.end());
    const Bytes v21 = {0x21};
    const Bytes v00 = {0x00};
    const Bytes v10 = {0x10};
    Bytes v;
    append_tlv(v, 0xF0, id);   // card identifier
    append_tlv(v, 0xF1, v21);  // capability container version
    append_tlv(v, 0xF2, v21);  // capability grammar version
    append_tlv(v, 0xF3, kEmpty);
    append_tlv(v, 0xF4, v00);  // PKCS#15: no
    append_tlv(v, 0xF5, v10);  // registered data model number
    append_tlv(v, 0xF6, kEmpty);
    append_tlv(v, 0xF7, kEmpty);
    append_tlv(v, 0xFA, kEmpty);
    append_tlv(v, 0xFB, kEmpty);
    append_tlv(v, 0xFC, kEmpty);
    append_tlv(v, 0xFD, kEmpty);
    append_tlv(v, 0xFE, kEmpty);
    return v;
}

Bytes make_discovery() {
    const Bytes policy = {0x40, 0x00};  // PIV Application PIN only, no global PIN
    Bytes v;
    append_tlv(v, 0x4F, piv::kAid);
    append_tlv(v, 0x5F2F, policy);
    return v;
}

Bytes make_key_history() {
    const Bytes zero = {0x00};
    Bytes v;
    append_tlv(v, 0xC1, zero);  // keys with on-card certificates
    append_tlv(v, 0xC2, zero);  // keys with off-card certificates
    append_tlv(v, 0xFE, kEmpty);
    return v;
}

Bytes make_printed_information(const PrintedInformation& info) {
    // Truncate to the field's size without splitting a UTF-8 sequence.
    auto field = [](const std::string& s, std::size_t max) {
        std::size_t n = std::min(s.size(), max);
        while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
        return text(std::string_view(s).substr(0, n));
    };
    Bytes v;
    append_tlv(v, 0x01, field(info.name, 125));
    append_tlv(v, 0x02, field(info.affiliation, 20));
    append_tlv(v, 0x04, field(info.expiry, 9));
    append_tlv(v, 0x05, field(info.card_serial, 20));
    append_tlv(v, 0x06, field(info.issuer, 15));
    append_tlv(v, 0xFE, kEmpty);
    return v;
}

Bytes make_certificate_object(ByteView certificate_der) {
    const Bytes uncompressed = {0x00};
    Bytes v;
    append_tlv(v, 0x70, certificate_der);
    append_tlv(v, 0x71, uncompressed);
    append_tlv(v, 0xFE, kEmpty);
    return v;
}

std::optional<StoredCertificate> certificate_from_object(ByteView object_value) {
    try {
        auto tlvs = parse_tlvs(object_value);
        auto cert = find_tlv(tlvs, 0x70);
        if (!cert || cert->empty()) return std::nullopt;
        StoredCertificate out;
        out.data.assign(cert->begin(), cert->end());
        if (auto info = find_tlv(tlvs, 0x71); info && !info->empty())
            out.compressed = ((*info)[0] & 0x01) != 0;
        return out;
    } catch (const StatusError&) {
        return std::nullopt;
    }
}

}  // namespace pkibridge::vcard
