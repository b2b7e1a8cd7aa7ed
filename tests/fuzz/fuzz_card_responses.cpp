// libFuzzer target: everything the host parses from a card or reader — response APDUs,
// BER-TLV, PIV certificate objects (incl. gzip), CHUID, GENERAL AUTHENTICATE responses,
// VERIFY status words, reader feature lists — and the APDU exchanger fed hostile replies.
#include <cstddef>
#include <cstdint>
#include <deque>

#include "apdu/apdu_error.hpp"
#include "apdu/apdu_exchanger.hpp"
#include "apdu/tlv.hpp"
#include "pcsc/reader_features.hpp"
#include "piv/piv_objects.hpp"

using namespace pkibridge::host;
using pkibridge::pkcs::Bytes;
using pkibridge::pkcs::ByteView;

namespace {

// Replies with consecutive slices of the fuzz input (length-prefixed by one byte).
struct InputChannel : apdu::ApduChannel {
    ByteView input;
    std::size_t pos = 0;
    Bytes transmit(ByteView) override {
        if (pos >= input.size()) return {0x90, 0x00};
        const std::size_t n = std::min<std::size_t>(input[pos], input.size() - pos - 1);
        Bytes r(input.begin() + static_cast<std::ptrdiff_t>(pos + 1),
                input.begin() + static_cast<std::ptrdiff_t>(pos + 1 + n));
        pos += 1 + n;
        return r;
    }
};

template <class F>
void guarded(F&& f) {
    try {
        f();
    } catch (const apdu::MalformedResponse&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView input(data, size);
    guarded([&] { (void)apdu::parse_response(input); });
    guarded([&] {
        for (const auto& tlv : apdu::parse_tlvs(input)) (void)apdu::find_tlv(tlv.value, 0x70);
    });
    guarded([&] { (void)piv::parse_certificate_object(input); });
    guarded([&] { (void)piv::card_serial_from_chuid(piv::parse_chuid(input)); });
    guarded([&] { (void)piv::parse_general_authenticate_response(input); });
    guarded([&] { (void)pcsc::parse_reader_features(input); });
    if (size >= 2)
        (void)piv::interpret_verify_status(static_cast<std::uint16_t>(data[0] << 8 | data[1]));

    InputChannel channel;
    channel.input = input;
    apdu::ApduExchanger exchanger(channel, apdu::ExchangeLimits{16 * 1024, 64});
    guarded([&] {
        apdu::CommandApdu get_data = piv::get_data_command(0x5FC105);
        const apdu::ResponseApdu r = exchanger.exchange(get_data);
        if (r.ok()) (void)piv::parse_certificate_object(r.data);
    });
    guarded([&] {
        const apdu::ResponseApdu r =
            exchanger.exchange(piv::general_authenticate_command(0x07, 0x9C, Bytes(256, 1)));
        if (r.ok()) (void)piv::parse_general_authenticate_response(r.data);
    });
    return 0;
}
