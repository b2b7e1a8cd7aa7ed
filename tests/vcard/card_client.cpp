#include "card_client.hpp"

#include <openssl/rand.h>

#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace vcard_test {

using namespace pkibridge::vcard;

Bytes apdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data,
           int le) {
    Bytes out = {cla, ins, p1, p2};
    if (!data.empty()) {
        out.push_back(static_cast<std::uint8_t>(data.size()));
        out.insert(out.end(), data.begin(), data.end());
    }
    if (le >= 0) out.push_back(static_cast<std::uint8_t>(le));
    return out;
}

std::uint16_t sw_of(const Bytes& r) {
    return static_cast<std::uint16_t>(r[r.size() - 2] << 8 | r.back());
}

Response raw(PivCard& card, ByteView command) {
    Bytes r = card.process(command);
    Response out;
    out.sw = sw_of(r);
    out.data.assign(r.begin(), r.end() - 2);
    return out;
}

Response transmit(PivCard& card, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data,
                  bool with_le) {
    std::size_t off = 0;
    while (data.size() - off > 255) {
        Response r = raw(card, apdu(0x10, ins, p1, p2, data.subspan(off, 255)));
        if (r.sw != 0x9000) return r;
        off += 255;
    }
    Response r = raw(card, apdu(0x00, ins, p1, p2, data.subspan(off), with_le ? 0 : -1));
    Response total{r.data, r.sw};
    while ((total.sw & 0xFF00) == 0x6100) {
        Response more = raw(card, apdu(0x00, 0xC0, 0x00, 0x00, {}, total.sw & 0xFF));
        total.data.insert(total.data.end(), more.data.begin(), more.data.end());
        total.sw = more.sw;
    }
    return total;
}

Response select_piv(PivCard& card) {
    return transmit(card, 0xA4, 0x04, 0x00, ByteView(piv::kAid.data(), 9));
}

Bytes pin_block(const std::string& pin) {
    Bytes b(8, 0xFF);
    for (std::size_t i = 0; i < pin.size() && i < 8; ++i) b[i] = static_cast<std::uint8_t>(pin[i]);
    return b;
}

Response verify_pin(PivCard& card, const std::string& pin) {
    if (pin.empty()) return raw(card, apdu(0x00, 0x20, 0x00, 0x80));
    return raw(card, apdu(0x00, 0x20, 0x00, 0x80, pin_block(pin)));
}

Response authenticate_management(PivCard& card, ByteView key, std::uint8_t alg) {
    const Bytes step1 = {0x7C, 0x02, 0x80, 0x00};
    Response r = transmit(card, 0x87, alg, 0x9B, step1);
    if (r.sw != 0x9000) return r;
    auto inner = parse_tlvs(expect_single_tlv(r.data, 0x7C));
    auto witness = find_tlv(inner, 0x80);
    Bytes plain = management_cipher(alg, key, *witness, false);
    Bytes challenge(management_block_size(alg));
    RAND_bytes(challenge.data(), static_cast<int>(challenge.size()));
    Bytes body;
    append_tlv(body, 0x80, plain);
    append_tlv(body, 0x81, challenge);
    Response r2 = transmit(card, 0x87, alg, 0x9B, make_tlv(0x7C, body));
    if (r2.sw != 0x9000) return r2;
    auto inner2 = parse_tlvs(expect_single_tlv(r2.data, 0x7C));
    auto answer = find_tlv(inner2, 0x82);
    Bytes expected = management_cipher(alg, key, challenge, true);
    if (!answer || Bytes(answer->begin(), answer->end()) != expected)
        r2.sw = 0x0001;  // card failed
    return r2;
}

Response get_data(PivCard& card, std::uint32_t tag) {
    return transmit(card, 0xCB, 0x3F, 0xFF, make_tlv(0x5C, tag_bytes(tag)));
}

namespace {
EVP_PKEY* keep(EVP_PKEY* k) {
    if (!k) throw std::runtime_error("test key generation failed");
    return k;
}
}  // namespace

EVP_PKEY* shared_rsa_key() {
    static EVP_PKEY* k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
    return k;
}
EVP_PKEY* shared_ec_key() {
    static EVP_PKEY* k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    return k;
}
EVP_PKEY* shared_ec384_key() {
    static EVP_PKEY* k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    return k;
}

pkibridge::pkcs::EvpPkeyPtr ref(EVP_PKEY* key) {
    EVP_PKEY_up_ref(key);
    return pkibridge::pkcs::EvpPkeyPtr(key);
}

CardState test_card() {
    CardState state = make_blank_card(BlankCardOptions{});
    SlotKey rsa;
    rsa.key = ref(shared_rsa_key());
    rsa.algorithm = piv::alg::kRsa2048;
    state.keys[piv::kSlotAuthentication] = std::move(rsa);
    SlotKey ec;
    ec.key = ref(shared_ec_key());
    ec.algorithm = piv::alg::kEccP256;
    state.keys[piv::kSlotSignature] = std::move(ec);
    return state;
}

}  // namespace vcard_test
