// The APDU processor driven directly, without pcscd: what OpenSC, yubico-piv-tool and the
// native host rely on, checked command by command.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>

#include "card_client.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_card.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"
#include "pkibridge/vcard/piv_objects.hpp"
#include "pkibridge/vcard/tlv.hpp"

using namespace pkibridge::vcard;
using namespace vcard_test;
using pkibridge::pkcs::hex_decode;
using pkibridge::pkcs::hex_encode;

namespace {

Bytes sha256(ByteView data) {
    Bytes out(32);
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
    return out;
}

// EMSA-PKCS1-v1_5 for SHA-256, as a client builds it for a raw-RSA card.
Bytes pkcs1_block(ByteView digest, std::size_t k) {
    const Bytes prefix = hex_decode("3031300d060960864801650304020105000420");
    Bytes block(k, 0xFF);
    block[0] = 0x00;
    block[1] = 0x01;
    const std::size_t t = prefix.size() + digest.size();
    block[k - t - 1] = 0x00;
    std::copy(prefix.begin(), prefix.end(), block.end() - static_cast<std::ptrdiff_t>(t));
    std::copy(digest.begin(), digest.end(),
              block.end() - static_cast<std::ptrdiff_t>(digest.size()));
    return block;
}

bool openssl_verifies(EVP_PKEY* key, ByteView message, ByteView signature, bool rsa) {
    pkibridge::pkcs::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1) return false;
    if (rsa) EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size()) == 1;
}

Bytes sign_template(ByteView challenge) {
    Bytes inner = {0x82, 0x00};
    append_tlv(inner, 0x81, challenge);
    return make_tlv(0x7C, inner);
}

Bytes signature_from(const Response& r) {
    auto inner = parse_tlvs(expect_single_tlv(r.data, 0x7C));
    auto sig = find_tlv(inner, 0x82);
    REQUIRE(sig.has_value());
    return Bytes(sig->begin(), sig->end());
}

const std::string kMessage = "pkibridge signs this";

}  // namespace

TEST_CASE("SELECT returns the application property template and accepts truncated AIDs") {
    PivCard card(test_card());
    CHECK_FALSE(card.selected());
    // Nothing works before SELECT.
    CHECK(get_data(card, piv::tag::kChuid).sw == 0x6D00);

    Response r = transmit(card, 0xA4, 0x04, 0x00, ByteView(piv::kAid.data(), 5));
    CHECK(r.sw == 0x9000);
    CHECK(r.data == application_property_template());
    CHECK(select_piv(card).sw == 0x9000);
    CHECK(transmit(card, 0xA4, 0x04, 0x00, ByteView(piv::kAid.data(), piv::kAid.size())).sw ==
          0x9000);
    CHECK(transmit(card, 0xA4, 0x04, 0x0C, ByteView(piv::kAid.data(), 9)).data.empty());
    // Unknown application: 6A82, and PIV stays selected.
    CHECK(transmit(card, 0xA4, 0x04, 0x00, hex_decode("a000000527200101")).sw == 0x6A82);
    CHECK(transmit(card, 0xA4, 0x04, 0x00, hex_decode("a0000003")).sw == 0x6A82);
    CHECK(card.selected());
    CHECK(transmit(card, 0xA4, 0x00, 0x00, hex_decode("3f00")).sw == 0x6A82);
    CHECK(transmit(card, 0xA4, 0x04, 0x01, ByteView(piv::kAid.data(), 9)).sw == 0x6A86);
}

TEST_CASE("GET DATA serves CHUID, CCC, discovery and certificates, 6A82 otherwise") {
    CardState state = test_card();
    Bytes cert(1500, 0x30);  // long enough to need GET RESPONSE
    state.objects[piv::tag::kCertAuthentication] = make_certificate_object(cert);
    PivCard card(std::move(state));
    select_piv(card);

    Response chuid = get_data(card, piv::tag::kChuid);
    REQUIRE(chuid.sw == 0x9000);
    CHECK(chuid.data[0] == 0x53);
    CHECK(Bytes(expect_single_tlv(chuid.data, 0x53).begin(),
                expect_single_tlv(chuid.data, 0x53).end()) ==
          card.state().objects.at(piv::tag::kChuid));

    Response disc = get_data(card, piv::tag::kDiscovery);
    REQUIRE(disc.sw == 0x9000);
    CHECK(disc.data[0] == 0x7E);

    Response c = get_data(card, piv::tag::kCertAuthentication);
    REQUIRE(c.sw == 0x9000);
    auto stored = certificate_from_object(expect_single_tlv(c.data, 0x53));
    REQUIRE(stored.has_value());
    CHECK(stored->data == cert);

    CHECK(get_data(card, piv::tag::kCertKeyManagement).sw == 0x6A82);
    CHECK(get_data(card, piv::tag::kCardCapabilityContainer).sw == 0x9000);
    CHECK(get_data(card, piv::tag::kKeyHistory).sw == 0x9000);
    CHECK(transmit(card, 0xCB, 0x3F, 0xFE, hex_decode("5c035fc102")).sw == 0x6A86);
    CHECK(transmit(card, 0xCB, 0x3F, 0xFF, hex_decode("5c045fc102")).sw == 0x6A80);
    CHECK(transmit(card, 0xCB, 0x3F, 0xFF, hex_decode("5302aabb")).sw == 0x6A80);
}

TEST_CASE("GET RESPONSE hands out long responses in 61xx chunks") {
    CardState state = test_card();
    const Bytes object = make_certificate_object(Bytes(600, 0x42));
    const Bytes expected = make_tlv(0x53, object);  // 613 bytes
    state.objects[piv::tag::kCertSignature] = object;
    PivCard card(std::move(state));
    select_piv(card);
    Response first = raw(card, apdu(0x00, 0xCB, 0x3F, 0xFF, hex_decode("5c035fc10a"), 0));
    CHECK(first.data.size() == 256);
    CHECK(first.sw == 0x6100);  // 357 bytes left: 61 00 means "256 or more"
    Response second = raw(card, apdu(0x00, 0xC0, 0x00, 0x00, {}, 0));
    CHECK(second.data.size() == 256);
    CHECK(second.sw == 0x6100 + (expected.size() - 512));
    Response third = raw(card, apdu(0x00, 0xC0, 0x00, 0x00, {}, 0));
    CHECK(third.sw == 0x9000);
    Bytes all = first.data;
    all.insert(all.end(), second.data.begin(), second.data.end());
    all.insert(all.end(), third.data.begin(), third.data.end());
    CHECK(all == expected);
    // Nothing left: GET RESPONSE now fails; another command drops pending data.
    CHECK(raw(card, apdu(0x00, 0xC0, 0x00, 0x00, {}, 0)).sw == 0x6985);
    raw(card, apdu(0x00, 0xCB, 0x3F, 0xFF, hex_decode("5c035fc10a"), 0));
    CHECK(verify_pin(card, "").sw == 0x63C3);
    CHECK(raw(card, apdu(0x00, 0xC0, 0x00, 0x00, {}, 0)).sw == 0x6985);
    // A smaller Le takes smaller chunks.
    Response small = raw(card, apdu(0x00, 0xCB, 0x3F, 0xFF, hex_decode("5c035fc102"), 0x10));
    CHECK(small.data.size() == 0x10);
    CHECK((small.sw & 0xFF00) == 0x6100);
}

TEST_CASE("VERIFY counts down 2, 1, 0 then blocks; a correct PIN resets the counter") {
    PivCard card(test_card());
    select_piv(card);
    CHECK(verify_pin(card, "").sw == 0x63C3);
    CHECK(verify_pin(card, "654321").sw == 0x63C2);
    CHECK(verify_pin(card, "").sw == 0x63C2);
    CHECK(verify_pin(card, "111111").sw == 0x63C1);
    CHECK(verify_pin(card, "123456").sw == 0x9000);  // correct: back to 3
    CHECK(card.pin_verified());
    CHECK(verify_pin(card, "").sw == 0x9000);
    CHECK(card.state().pin.tries_left == 3);

    CHECK(verify_pin(card, "000000").sw == 0x63C2);
    CHECK_FALSE(card.pin_verified());  // a wrong PIN drops the verification
    CHECK(verify_pin(card, "000000").sw == 0x63C1);
    CHECK(verify_pin(card, "000000").sw == 0x63C0);
    CHECK(verify_pin(card, "").sw == 0x6983);
    CHECK(verify_pin(card, "123456").sw == 0x6983);  // blocked even for the right PIN
    CHECK_FALSE(card.pin_verified());
}

TEST_CASE("VERIFY rejects malformed PIN blocks without using a try") {
    PivCard card(test_card());
    select_piv(card);
    CHECK(raw(card, apdu(0x00, 0x20, 0x00, 0x80, hex_decode("313233"))).sw == 0x6A80);
    CHECK(raw(card, apdu(0x00, 0x20, 0x00, 0x80, hex_decode("3132ffff35363738"))).sw == 0x6A80);
    CHECK(raw(card, apdu(0x00, 0x20, 0x00, 0x80, hex_decode("41424344454647ff"))).sw == 0x6A80);
    CHECK(raw(card, apdu(0x00, 0x20, 0x00, 0x01, pin_block("123456"))).sw == 0x6A88);
    CHECK(raw(card, apdu(0x00, 0x20, 0x01, 0x80, pin_block("123456"))).sw == 0x6A86);
    CHECK(verify_pin(card, "").sw == 0x63C3);
}

TEST_CASE("VERIFY P1=FF logs out; reset forgets PIN and selection") {
    PivCard card(test_card());
    select_piv(card);
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    CHECK(raw(card, apdu(0x00, 0x20, 0xFF, 0x80)).sw == 0x9000);
    CHECK_FALSE(card.pin_verified());
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    select_piv(card);  // re-selecting PIV keeps the security status
    CHECK(card.pin_verified());
    card.reset();
    CHECK_FALSE(card.selected());
    CHECK_FALSE(card.pin_verified());
    select_piv(card);
    CHECK(verify_pin(card, "").sw == 0x63C3);
}

TEST_CASE("CHANGE REFERENCE DATA and RESET RETRY COUNTER with the PUK") {
    PivCard card(test_card());
    select_piv(card);
    Bytes change = pin_block("123456");
    Bytes np = pin_block("24681357");
    change.insert(change.end(), np.begin(), np.end());
    CHECK(raw(card, apdu(0x00, 0x24, 0x00, 0x80, change)).sw == 0x9000);
    CHECK(verify_pin(card, "123456").sw == 0x63C2);
    CHECK(verify_pin(card, "24681357").sw == 0x9000);
    // Wrong old PIN costs a try.
    CHECK(raw(card, apdu(0x00, 0x24, 0x00, 0x80, change)).sw == 0x63C2);

    // Block the PIN, unblock with the PUK.
    verify_pin(card, "000000");
    verify_pin(card, "000000");
    REQUIRE(verify_pin(card, "").sw == 0x6983);
    Bytes wrong_puk = pin_block("87654321");
    Bytes fresh = pin_block("112233");
    wrong_puk.insert(wrong_puk.end(), fresh.begin(), fresh.end());
    CHECK(raw(card, apdu(0x00, 0x2C, 0x00, 0x80, wrong_puk)).sw == 0x63C2);
    Bytes unblock = pin_block("12345678");
    unblock.insert(unblock.end(), fresh.begin(), fresh.end());
    CHECK(raw(card, apdu(0x00, 0x2C, 0x00, 0x80, unblock)).sw == 0x9000);
    CHECK(card.state().puk.tries_left == 3);
    CHECK(verify_pin(card, "").sw == 0x63C3);
    CHECK(verify_pin(card, "112233").sw == 0x9000);
    // Changing the PUK itself.
    Bytes puk_change = pin_block("12345678");
    Bytes new_puk = pin_block("99887766");
    puk_change.insert(puk_change.end(), new_puk.begin(), new_puk.end());
    CHECK(raw(card, apdu(0x00, 0x24, 0x00, 0x81, puk_change)).sw == 0x9000);
    CHECK(raw(card, apdu(0x00, 0x2C, 0x00, 0x80, unblock)).sw == 0x63C2);
    CHECK(raw(card, apdu(0x00, 0x2C, 0x00, 0x80, Bytes(15, 0x31))).sw == 0x6A80);
}

TEST_CASE("GENERAL AUTHENTICATE signs with RSA-2048 (raw) and EC P-256, verified by OpenSSL") {
    PivCard card(test_card());
    select_piv(card);
    const Bytes digest = sha256(pkibridge::pkcs::as_bytes(kMessage));

    Bytes rsa_tpl = sign_template(pkcs1_block(digest, 256));
    CHECK(transmit(card, 0x87, 0x07, 0x9A, rsa_tpl).sw == 0x6982);  // PIN first
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    Response rsa = transmit(card, 0x87, 0x07, 0x9A, rsa_tpl);  // chained + GET RESPONSE
    REQUIRE(rsa.sw == 0x9000);
    Bytes rsa_sig = signature_from(rsa);
    CHECK(rsa_sig.size() == 256);
    CHECK(openssl_verifies(shared_rsa_key(), pkibridge::pkcs::as_bytes(kMessage), rsa_sig, true));
    // 9A is "PIN once": a second signature needs no new VERIFY.
    CHECK(transmit(card, 0x87, 0x07, 0x9A, rsa_tpl).sw == 0x9000);

    // 9C is "PIN always": the earlier VERIFY was not used by it yet, so one use is allowed.
    Bytes ec_tpl = sign_template(digest);
    Response ec = transmit(card, 0x87, 0x11, 0x9C, ec_tpl);
    REQUIRE(ec.sw == 0x9000);
    CHECK(openssl_verifies(shared_ec_key(), pkibridge::pkcs::as_bytes(kMessage), signature_from(ec),
                           false));
    CHECK(transmit(card, 0x87, 0x11, 0x9C, ec_tpl).sw == 0x6982);  // needs a new VERIFY
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    CHECK(transmit(card, 0x87, 0x11, 0x9C, ec_tpl).sw == 0x9000);

    // Wrong algorithm, empty slot, bad input.
    CHECK(transmit(card, 0x87, 0x11, 0x9A, ec_tpl).sw == 0x6A86);
    CHECK(transmit(card, 0x87, 0x07, 0x9D, rsa_tpl).sw == 0x6A88);
    CHECK(transmit(card, 0x87, 0x07, 0x9A, sign_template(Bytes(100, 1))).sw == 0x6A80);
    CHECK(transmit(card, 0x87, 0x07, 0x9A, sign_template(Bytes(256, 0xFF))).sw == 0x6A80);
    CHECK(transmit(card, 0x87, 0x07, 0x9A, hex_decode("7c0481020000")).sw == 0x6A80);
    CHECK(transmit(card, 0x87, 0x07, 0x42, rsa_tpl).sw == 0x6A86);
}

TEST_CASE("GENERAL AUTHENTICATE computes ECDH with the EC key") {
    PivCard card(test_card());
    select_piv(card);
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    EVP_PKEY* peer = shared_ec384_key();  // wrong curve first
    Bytes point(200);
    std::size_t len = 0;
    EVP_PKEY_get_octet_string_param(peer, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                    point.size(), &len);
    point.resize(len);
    Bytes inner = {0x82, 0x00};
    append_tlv(inner, 0x85, point);
    CHECK(transmit(card, 0x87, 0x11, 0x9C, make_tlv(0x7C, inner)).sw == 0x6A80);

    pkibridge::pkcs::EvpPkeyPtr other(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    point.assign(200, 0);
    EVP_PKEY_get_octet_string_param(other.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                    point.size(), &len);
    point.resize(len);
    inner = {0x82, 0x00};
    append_tlv(inner, 0x85, point);
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    Response r = transmit(card, 0x87, 0x11, 0x9C, make_tlv(0x7C, inner));
    REQUIRE(r.sw == 0x9000);
    // The same secret computed by OpenSSL from the other side.
    pkibridge::pkcs::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, other.get(), nullptr));
    EVP_PKEY_derive_init(ctx.get());
    EVP_PKEY_derive_set_peer(ctx.get(), shared_ec_key());
    Bytes expected(32);
    std::size_t elen = expected.size();
    EVP_PKEY_derive(ctx.get(), expected.data(), &elen);
    CHECK(signature_from(r) == expected);
}

TEST_CASE("Management key: mutual and external authentication with 3DES; wrong key fails") {
    PivCard card(test_card());
    select_piv(card);
    const Bytes put = hex_decode("5c035fc1095303010141");
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, put).sw == 0x6982);

    Bytes wrong = default_management_key();
    wrong[0] ^= 2;  // the lowest bit of a DES key byte is parity, not key
    CHECK(authenticate_management(card, wrong).sw == 0x6982);
    CHECK_FALSE(card.management_authenticated());
    CHECK(authenticate_management(card, default_management_key(), 0x0A).sw == 0x6A86);
    Response ok = authenticate_management(card, default_management_key());
    CHECK(ok.sw == 0x9000);
    CHECK(card.management_authenticated());
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, put).sw == 0x9000);

    // External authentication: challenge, then its encryption.
    card.reset();
    select_piv(card);
    Response ch = transmit(card, 0x87, 0x03, 0x9B, hex_decode("7c028100"));
    REQUIRE(ch.sw == 0x9000);
    auto c = find_tlv(parse_tlvs(expect_single_tlv(ch.data, 0x7C)), 0x81);
    REQUIRE(c.has_value());
    Bytes enc = management_cipher(0x03, default_management_key(), *c, true);
    CHECK(transmit(card, 0x87, 0x03, 0x9B, make_tlv(0x7C, make_tlv(0x82, enc))).sw == 0x9000);
    CHECK(card.management_authenticated());
    // Replaying the answer does not work: the challenge is single-use.
    CHECK(transmit(card, 0x87, 0x03, 0x9B, make_tlv(0x7C, make_tlv(0x82, enc))).sw == 0x6985);
    // A step 2 without step 1.
    card.reset();
    select_piv(card);
    Bytes body;
    append_tlv(body, 0x80, Bytes(8, 0));
    append_tlv(body, 0x81, Bytes(8, 0));
    CHECK(transmit(card, 0x87, 0x03, 0x9B, make_tlv(0x7C, body)).sw == 0x6985);
}

TEST_CASE("Management key: AES-256 and SET MANAGEMENT KEY") {
    PivCard card(test_card());
    select_piv(card);
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    Bytes aes(32);
    RAND_bytes(aes.data(), 32);
    Bytes data = {0x0C};
    append_tlv(data, 0x9B, aes);
    CHECK(transmit(card, 0xFF, 0xFF, 0xFF, data).sw == 0x9000);
    card.reset();
    select_piv(card);
    CHECK(authenticate_management(card, default_management_key()).sw == 0x6A86);
    CHECK(authenticate_management(card, aes, 0x0C).sw == 0x9000);
    Bytes bad = {0x0C};
    append_tlv(bad, 0x9B, Bytes(16, 1));
    CHECK(transmit(card, 0xFF, 0xFF, 0xFF, bad).sw == 0x6A80);
}

TEST_CASE("PUT DATA stores objects (chained), deletes with empty data, discovery by its tag") {
    PivCard card(test_card());
    select_piv(card);
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    Bytes cert_obj = make_certificate_object(Bytes(1200, 0x55));
    Bytes put;
    append_tlv(put, 0x5C, hex_decode("5fc10b"));
    append_tlv(put, 0x53, cert_obj);
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, put).sw == 0x9000);  // 5 chained APDUs
    Response back = get_data(card, 0x5FC10B);
    REQUIRE(back.sw == 0x9000);
    CHECK(Bytes(expect_single_tlv(back.data, 0x53).begin(),
                expect_single_tlv(back.data, 0x53).end()) == cert_obj);
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, hex_decode("5c035fc10b5300")).sw == 0x9000);
    CHECK(get_data(card, 0x5FC10B).sw == 0x6A82);
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, hex_decode("7e03aabbcc")).sw == 0x9000);
    CHECK(hex_encode(get_data(card, 0x7E).data) == "7e03aabbcc");
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, hex_decode("5c0101530101")).sw == 0x6A80);
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, hex_decode("5c035fc10b")).sw == 0x6A80);
    CHECK(transmit(card, 0xDB, 0x3F, 0xFF, hex_decode("5c035fc10b53")).sw == 0x6A80);
}

TEST_CASE("Printed information needs the PIN") {
    CardState state = test_card();
    state.objects[piv::tag::kPrintedInformation] =
        make_printed_information({"Name", "A", "B", "1", "I"});
    PivCard card(std::move(state));
    select_piv(card);
    CHECK(get_data(card, piv::tag::kPrintedInformation).sw == 0x6982);
    verify_pin(card, "123456");
    CHECK(get_data(card, piv::tag::kPrintedInformation).sw == 0x9000);
}

TEST_CASE("Key import (Yubico INS FE) and generation (INS 47) need the management key") {
    PivCard card(test_card());
    select_piv(card);
    // EC P-256: private scalar in tag 06.
    pkibridge::pkcs::EvpPkeyPtr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    BIGNUM* d = nullptr;
    EVP_PKEY_get_bn_param(ec.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d);
    Bytes scalar(32);
    BN_bn2binpad(d, scalar.data(), 32);
    BN_free(d);
    Bytes ec_import;
    append_tlv(ec_import, 0x06, scalar);
    CHECK(transmit(card, 0xFE, 0x11, 0x9D, ec_import).sw == 0x6982);
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    CHECK(transmit(card, 0xFE, 0x11, 0x9D, ec_import).sw == 0x9000);
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    const Bytes digest = sha256(pkibridge::pkcs::as_bytes(kMessage));
    Response sig = transmit(card, 0x87, 0x11, 0x9D, sign_template(digest));
    REQUIRE(sig.sw == 0x9000);
    CHECK(openssl_verifies(ec.get(), pkibridge::pkcs::as_bytes(kMessage), signature_from(sig),
                           false));

    // RSA from p, q, dp, dq, qinv (padded like yubico-piv-tool does).
    EVP_PKEY* rsa = shared_rsa_key();
    Bytes rsa_import;
    const char* names[] = {OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
                           OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
                           OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    for (int i = 0; i < 5; ++i) {
        BIGNUM* bn = nullptr;
        REQUIRE(EVP_PKEY_get_bn_param(rsa, names[i], &bn) == 1);
        Bytes v(128);
        BN_bn2binpad(bn, v.data(), 128);
        BN_free(bn);
        append_tlv(rsa_import, static_cast<std::uint32_t>(i + 1), v);
    }
    append_tlv(rsa_import, 0xAA, Bytes{0x01});  // PIN policy never
    CHECK(transmit(card, 0xFE, 0x07, 0x9E, rsa_import).sw == 0x9000);
    card.reset();
    select_piv(card);  // no PIN at all: policy "never"
    Response rs = transmit(card, 0x87, 0x07, 0x9E, sign_template(pkcs1_block(digest, 256)));
    REQUIRE(rs.sw == 0x9000);
    CHECK(openssl_verifies(rsa, pkibridge::pkcs::as_bytes(kMessage), signature_from(rs), true));

    // Inconsistent RSA components are refused.
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    Bytes broken = rsa_import;
    broken[10] ^= 0x40;
    CHECK(transmit(card, 0xFE, 0x07, 0x9E, broken).sw == 0x6A80);
    CHECK(transmit(card, 0xFE, 0x11, 0x9D, hex_decode("0601")).sw == 0x6A80);
    CHECK(transmit(card, 0xFE, 0x42, 0x9D, ec_import).sw == 0x6A86);

    // Generation returns the public key; signatures verify with it.
    Response gen = transmit(card, 0x47, 0x00, 0x82, hex_decode("ac03800111"));
    REQUIRE(gen.sw == 0x9000);
    auto pub = parse_tlvs(expect_single_tlv(gen.data, 0x7F49));
    REQUIRE(find_tlv(pub, 0x86).has_value());
    CHECK(find_tlv(pub, 0x86)->size() == 65);
    CHECK(transmit(card, 0x47, 0x00, 0x82, hex_decode("ac03800142")).sw == 0x6A80);
    CHECK(transmit(card, 0x47, 0x00, 0x9B, hex_decode("ac03800111")).sw == 0x6A86);
}

TEST_CASE("Yubico GET VERSION and GET SERIAL") {
    PivCard card(test_card());
    select_piv(card);
    CHECK(hex_encode(transmit(card, 0xFD, 0, 0).data) == "050207");
    Response s = transmit(card, 0xF8, 0, 0);
    REQUIRE(s.data.size() == 4);
    std::uint32_t serial =
        static_cast<std::uint32_t>(s.data[0]) << 24 | s.data[1] << 16 | s.data[2] << 8 | s.data[3];
    CHECK(serial == card.state().serial);
}

TEST_CASE("Command chaining: interrupted chains are dropped, oversize chains refused") {
    PivCard card(test_card());
    select_piv(card);
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    // Start a chained PUT DATA, then send an unrelated command: the chain is abandoned.
    CHECK(raw(card, apdu(0x10, 0xDB, 0x3F, 0xFF, hex_decode("5c035fc10b5382"))).sw == 0x9000);
    CHECK(verify_pin(card, "").sw == 0x63C3);
    CHECK(raw(card, apdu(0x00, 0xDB, 0x3F, 0xFF, hex_decode("0400"))).sw == 0x6A80);
    // Too much chained data.
    std::uint16_t last = 0;
    for (int i = 0; i < 70; ++i) {
        last = raw(card, apdu(0x10, 0xDB, 0x3F, 0xFF, Bytes(255, 0))).sw;
        if (last != 0x9000) break;
    }
    CHECK(last == 0x6A84);
}

TEST_CASE("Unknown instructions, classes and parameters get proper status words") {
    PivCard card(test_card());
    CHECK(sw_of(card.process(hex_decode("00a404"))) == 0x6700);
    CHECK(sw_of(card.process(hex_decode(""))) == 0x6700);
    select_piv(card);
    CHECK(sw_of(card.process(hex_decode("0012000000"))) == 0x6D00);
    CHECK(sw_of(card.process(hex_decode("80ca9f7f00"))) == 0x6E00);
    CHECK(sw_of(card.process(hex_decode("00cb3fff055c035fc1"))) == 0x6700);      // Lc too big
    CHECK(sw_of(card.process(hex_decode("00cb3fff025c035fc10200"))) == 0x6700);  // Lc too small
    CHECK(sw_of(card.process(hex_decode("00cb3fff055c045fc10200"))) == 0x6A80);  // TLV too long
    CHECK(sw_of(card.process(hex_decode("00870c9b047c028000"))) == 0x6A86);
    CHECK(sw_of(card.process(hex_decode("0087039b037c0280"))) == 0x6A80);  // truncated TLV
    CHECK(sw_of(card.process(hex_decode("00fb000000"))) == 0x6985);  // reset needs blocked PIN+PUK
}

TEST_CASE("Random and mutated APDUs never crash the card") {
    PivCard card(test_card());
    select_piv(card);
    std::vector<Bytes> seeds = {hex_decode("00a4040009a00000030800001000"),
                                hex_decode("00cb3fff055c035fc10200"),
                                hex_decode("0020008008313233343536ffff"),
                                hex_decode("0087039b047c028000"),
                                hex_decode("00db3fff0a5c035fc1095303010141"),
                                hex_decode("0047009a05ac03800111"),
                                hex_decode("00fe119d04060201ff"),
                                hex_decode("00c0000000"),
                                hex_decode("1087079a047c028200")};
    std::uint32_t state = 12345;
    auto rnd = [&] {
        state = state * 1103515245u + 12345u;
        return (state >> 16) & 0x7FFF;
    };
    for (int i = 0; i < 5000; ++i) {
        Bytes cmd = seeds[rnd() % seeds.size()];
        int mutations = 1 + rnd() % 4;
        for (int m = 0; m < mutations; ++m) {
            switch (rnd() % 4) {
                case 0:
                    if (!cmd.empty()) cmd[rnd() % cmd.size()] = static_cast<std::uint8_t>(rnd());
                    break;
                case 1:
                    if (!cmd.empty()) cmd.resize(rnd() % cmd.size());
                    break;
                case 2:
                    cmd.push_back(static_cast<std::uint8_t>(rnd()));
                    break;
                default:
                    cmd.insert(cmd.begin() + static_cast<std::ptrdiff_t>(rnd() % (cmd.size() + 1)),
                               static_cast<std::uint8_t>(rnd()));
            }
        }
        Bytes r = card.process(cmd);
        REQUIRE(r.size() >= 2);
        if (rnd() % 50 == 0) card.reset();
        if (rnd() % 10 == 0) select_piv(card);
    }
    // Still a working card afterwards (PIN may have been blocked by random VERIFYs).
    card.reset();
    CHECK(select_piv(card).sw == 0x9000);
}

TEST_CASE("Yubico SET PIN RETRIES and RESET") {
    PivCard card(test_card());
    select_piv(card);
    CHECK(raw(card, apdu(0x00, 0xFA, 0x05, 0x04)).sw == 0x6982);
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    CHECK(raw(card, apdu(0x00, 0xFA, 0x05, 0x04)).sw == 0x6982);  // PIN too
    REQUIRE(verify_pin(card, "123456").sw == 0x9000);
    CHECK(raw(card, apdu(0x00, 0xFA, 0x00, 0x04)).sw == 0x6A86);
    CHECK(raw(card, apdu(0x00, 0xFA, 0x05, 0x04)).sw == 0x9000);
    CHECK(verify_pin(card, "").sw == 0x63C5);
    CHECK(card.state().puk.max_tries == 4);

    // RESET only with PIN and PUK blocked; then keys and objects are gone.
    CHECK(raw(card, apdu(0x00, 0xFB, 0x00, 0x00)).sw == 0x6985);
    for (int i = 0; i < 5; ++i) verify_pin(card, "000000");
    Bytes bad_puk = pin_block("00000000");
    Bytes any_pin = pin_block("111111");
    bad_puk.insert(bad_puk.end(), any_pin.begin(), any_pin.end());
    for (int i = 0; i < 4; ++i) raw(card, apdu(0x00, 0x2C, 0x00, 0x80, bad_puk));
    REQUIRE(card.state().puk.blocked());
    CHECK(raw(card, apdu(0x00, 0xFB, 0x00, 0x00)).sw == 0x9000);
    CHECK(card.state().keys.empty());
    CHECK(card.state().objects.empty());
    select_piv(card);
    CHECK(verify_pin(card, "123456").sw == 0x9000);
}
