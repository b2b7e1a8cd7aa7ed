// Hostile input to the CMS parsers: truncations, bit flips, wrong structures, DER and
// base64 and PEM. Everything must end in a result or a PkcsError, never a crash (this file
// is what the ASan+UBSan CI run exercises).
#include <openssl/rand.h>

#include <catch2/catch.hpp>

#include "cms_test_support.hpp"
#include "pkibridge/pkcs/cms_describe.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"

using namespace pkibridge::pkcs;

namespace {

Bytes good_cms(bool detached = false) {
    const auto& pki = cmstest::mini_pki();
    ExternalSigner s{pki.leaf, [&](ByteView d, HashAlgorithm h, SignatureScheme sc) {
                         return raw_sign(pki.leaf_key, d, h, sc);
                     }};
    CmsSignOptions o;
    o.detached = detached;
    o.nonce = Bytes{9, 9, 9};
    o.chain = {pki.intermediate};
    return cms_sign(as_bytes("garbage test content"), s, o);
}

// Runs every entry point over the input; only checks that nothing crashes and that
// failures are reported as such.
void exercise(ByteView input, bool expect_malformed) {
    const TrustStore trust{{cmstest::mini_pki().root}, {}};
    auto sig = verify_cms_signature(input);
    auto with_content = verify_cms_signature(input, as_bytes("garbage test content"));
    auto full = verify_cms(input, std::nullopt, trust, {});
    auto digest_only = verify_cms_signature_digest(input, Bytes(32), HashAlgorithm::Sha256);
    if (expect_malformed) {
        CHECK(sig.status == ValidationStatus::Malformed);
        CHECK(full.status == ValidationStatus::Malformed);
        CHECK_FALSE(sig.message.empty());
    }
    CHECK_FALSE((full.ok() && !sig.ok()));
    (void)with_content;
    (void)digest_only;
    try {
        auto j = describe_cms(input);
        CHECK_FALSE(expect_malformed);
        CHECK_NOTHROW(j.dump());
    } catch (const PkcsError& e) {
        CHECK(e.code() == ErrorCode::Malformed);
    }
}

}  // namespace

TEST_CASE("empty, random and text input is malformed", "[cms][garbage]") {
    exercise(Bytes{}, true);
    exercise(as_bytes("hello"), true);
    exercise(as_bytes("-----BEGIN CMS-----\nnot base64!\n-----END CMS-----\n"), true);
    exercise(as_bytes("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"), true);
    exercise(as_bytes("MAMCAQA="), true);  // base64 of a tiny SEQUENCE
    exercise(Bytes{0x30}, true);
    exercise(Bytes{0x30, 0x80}, true);
    exercise(Bytes{0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF}, true);
    for (int i = 0; i < 50; ++i) {
        Bytes random(static_cast<std::size_t>(1 + i * 13));
        RAND_bytes(random.data(), static_cast<int>(random.size()));
        random[0] = 0x30;
        exercise(random, true);
    }
}

TEST_CASE("every truncation of a valid CMS is malformed (DER and base64)", "[cms][garbage]") {
    const Bytes cms = good_cms();
    REQUIRE(verify_cms_signature(cms).ok());
    const std::string b64 = base64_encode(cms);
    for (std::size_t len = 0; len < cms.size(); len += (len < 64 ? 1 : 17)) {
        CAPTURE(len);
        exercise(ByteView(cms).first(len), true);
    }
    for (std::size_t len = 0; len < b64.size(); len += 29) {
        CAPTURE(len);
        exercise(as_bytes(std::string_view(b64).substr(0, len)), true);
    }
    Bytes trailing = cms;
    trailing.push_back(0x00);
    exercise(trailing, true);
}

TEST_CASE("bit flips anywhere in a CMS never crash and never validate", "[cms][garbage]") {
    for (bool detached : {false, true}) {
        const Bytes cms = good_cms(detached);
        // Every 4th byte, low and high bits alternately: enough to hit every field while
        // staying fast under the sanitizers.
        for (std::size_t i = 0; i < cms.size(); i += 4) {
            for (std::uint8_t mask : {static_cast<std::uint8_t>(i % 8 == 0 ? 0x01 : 0x80)}) {
                Bytes bad = cmstest::flipped(cms, i, mask);
                auto r = verify_cms_signature(
                    bad, detached ? std::optional<ByteView>(as_bytes("garbage test content"))
                                  : std::nullopt);
                // A flip may land in an unsigned part (e.g. an embedded chain certificate),
                // so some flips still verify; the signature part must never be fooled.
                if (r.ok()) {
                    CHECK(r.content == Bytes(std::string_view("garbage test content").begin(),
                                             std::string_view("garbage test content").end()));
                }
                try {
                    describe_cms(bad).dump();
                } catch (const PkcsError&) {
                }
            }
        }
    }
}

TEST_CASE("CMS that is not SignedData is malformed", "[cms][garbage]") {
    BioPtr in = memory_bio("x", 1);
    CmsPtr data(CMS_data_create(in.get(), CMS_BINARY));
    REQUIRE(data);
    unsigned char* der = nullptr;
    int len = i2d_CMS_ContentInfo(data.get(), &der);
    Bytes bytes(der, der + len);
    OPENSSL_free(der);
    exercise(bytes, true);
    CHECK_THROWS_AS(parse_cms(bytes), PkcsError);
}

TEST_CASE("a CMS without signers or certificates reports no-signer", "[cms][garbage]") {
    // A degenerate SignedData (certificates only), like a .p7b bundle.
    CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL));
    REQUIRE(cms);
    CMS_set_detached(cms.get(), 0);
    unsigned char* der = nullptr;
    int len = i2d_CMS_ContentInfo(cms.get(), &der);
    REQUIRE(len > 0);
    Bytes bytes(der, der + len);
    OPENSSL_free(der);
    auto r = verify_cms_signature(bytes, as_bytes(""));
    CHECK((r.status == ValidationStatus::NoSigner || r.status == ValidationStatus::Malformed));
    CHECK_NOTHROW(describe_cms(bytes));
}
