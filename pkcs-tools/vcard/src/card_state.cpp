#include "pkibridge/vcard/card_state.hpp"

#include <chrono>
#include <cstdio>

#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"
#include "pkibridge/vcard/piv_objects.hpp"

namespace pkibridge::vcard {

Bytes default_management_key() {
    Bytes key;
    for (int round = 0; round < 3; ++round)
        for (std::uint8_t b = 1; b <= 8; ++b) key.push_back(b);
    return key;
}

piv::PinPolicy CardState::effective_pin_policy(std::uint8_t slot) const {
    auto it = keys.find(slot);
    if (it != keys.end() && it->second.pin_policy != piv::PinPolicy::Default)
        return it->second.pin_policy;
    return piv::default_pin_policy(slot);
}

namespace {

// YYYYMMDD ten years from now, for the CHUID expiration date.
std::string expiry_date() {
    using namespace std::chrono;
    auto today = year_month_day{floor<days>(system_clock::now())};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(today.year()) + 10,
                  static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
    return buf;
}

std::string digits_of(std::uint64_t value, std::size_t width) {
    std::string s(width, '0');
    for (std::size_t i = width; i-- > 0; value /= 10) s[i] = static_cast<char>('0' + value % 10);
    return s;
}

}  // namespace

CardState make_blank_card(const BlankCardOptions& options) {
    if (options.pin_tries < 1 || options.pin_tries > 15 || options.puk_tries < 1 ||
        options.puk_tries > 15) {
        throw VcardError(VcardErrorCode::InvalidArgument, "retry counters must be 1..15");
    }
    CardState card;
    {
        Bytes pin = pad_reference(options.pin, true);
        card.pin = make_reference(pin, options.pin_tries);
        pkcs::secure_zero(pin.data(), pin.size());
        Bytes puk = pad_reference(options.puk, false);
        card.puk = make_reference(puk, options.puk_tries);
        pkcs::secure_zero(puk.data(), puk.size());
    }
    Bytes mgmt = options.management_key.empty() ? default_management_key() : options.management_key;
    if (!is_management_algorithm(options.management_algorithm) ||
        mgmt.size() != management_key_length(options.management_algorithm)) {
        throw VcardError(VcardErrorCode::InvalidArgument,
                         "management key length does not match its algorithm");
    }
    card.management_key = ManagementKey(options.management_algorithm, std::move(mgmt));

    Bytes guid = options.guid.empty() ? random_bytes(16) : options.guid;
    if (guid.size() != 16)
        throw VcardError(VcardErrorCode::InvalidArgument, "the card GUID must be 16 bytes");
    if (options.guid.empty()) {  // an RFC 4122 version 4 UUID
        guid[6] = static_cast<std::uint8_t>((guid[6] & 0x0F) | 0x40);
        guid[8] = static_cast<std::uint8_t>((guid[8] & 0x3F) | 0x80);
    }
    // The Yubico-style serial and the FASC-N numbers are derived from the GUID so that
    // one value identifies the card everywhere.
    std::uint32_t tail =
        static_cast<std::uint32_t>(guid[12]) << 24 | guid[13] << 16 | guid[14] << 8 | guid[15];
    card.serial = tail % 100000000u;
    Fascn fascn;
    fascn.credential_number = digits_of(card.serial, 6);
    fascn.person_identifier = digits_of(card.serial, 10);

    card.objects[piv::tag::kChuid] = make_chuid(encode_fascn(fascn), guid, expiry_date());
    card.objects[piv::tag::kCardCapabilityContainer] = make_ccc(random_bytes(14));
    card.objects[piv::tag::kDiscovery] = make_discovery();
    card.objects[piv::tag::kKeyHistory] = make_key_history();
    return card;
}

}  // namespace pkibridge::vcard
