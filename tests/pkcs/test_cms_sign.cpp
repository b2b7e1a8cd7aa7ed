// CMS signing with an external signer, checked by our verifier (OpenSSL's CMS code
// underneath); interop with the openssl CLI is in cms_interop.py.
#include <catch2/catch.hpp>

#include "cms_test_support.hpp"
#include "pkibridge/pkcs/cms_describe.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"

using namespace pkibridge::pkcs;
using cmstest::shared_ca;

namespace {

const std::string kContent = "pkibridge test content: 簽章內容";
constexpr std::int64_t kSigningTime = 1700000000;  // UTCTime 231114221320Z

ExternalSigner signer_for(const IssuedCredential& cred) {
    return ExternalSigner{cred.certificate,
                          [key = cred.key.get()](ByteView d, HashAlgorithm h, SignatureScheme s) {
                              return raw_sign(key, d, h, s);
                          }};
}

CmsSignOptions options_with(HashAlgorithm hash, bool detached) {
    CmsSignOptions o;
    o.hash = hash;
    o.detached = detached;
    o.signing_time = kSigningTime;
    o.nonce = Bytes{0x01, 0x02, 0x03, 0xFE};
    o.card_serial = "TP0123456789";
    o.chain = {shared_ca().rsa_person->issuing_ca};
    return o;
}

}  // namespace

TEST_CASE("signed CMS verifies for every scheme, hash and form", "[cms]") {
    const auto& ca = shared_ca();
    struct Case {
        const IssuedCredential* cred;
        std::optional<SignatureScheme> scheme;
        SignatureScheme expected;
    };
    const Case cases[] = {
        {&ca.rsa_person->sign, std::nullopt, SignatureScheme::RsaPkcs1},
        {&ca.rsa_person->sign, SignatureScheme::RsaPss, SignatureScheme::RsaPss},
        {&ca.ec_person->sign, std::nullopt, SignatureScheme::Ecdsa},
    };
    for (const Case& c : cases) {
        for (HashAlgorithm hash :
             {HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512}) {
            for (bool detached : {false, true}) {
                CAPTURE(scheme_name(c.expected), hash_name(hash), detached);
                CmsSignOptions o = options_with(hash, detached);
                o.scheme = c.scheme;
                Bytes cms = cms_sign(as_bytes(kContent), signer_for(*c.cred), o);
                std::optional<ByteView> content;
                if (detached) content = as_bytes(kContent);
                CmsVerifyResult r = verify_cms(cms, content, ca.trust(), {});
                INFO(r.message);
                REQUIRE(r.ok());
                const CmsSignatureResult& s = r.signature;
                CHECK(s.detached == detached);
                CHECK(s.content == Bytes(kContent.begin(), kContent.end()));
                CHECK(s.digest_algorithm == hash);
                CHECK(s.scheme == c.expected);
                CHECK(s.content_type == "1.2.840.113549.1.7.1");
                CHECK(s.attributes.signing_time == kSigningTime);
                CHECK(s.attributes.nonce == Bytes{0x01, 0x02, 0x03, 0xFE});
                CHECK(s.attributes.card_serial == "TP0123456789");
                CHECK(s.attributes.signing_certificate_v2);
                CHECK(s.attributes.message_digest == digest(hash, as_bytes(kContent)));
                CHECK(s.signer == c.cred->certificate);
                CHECK(r.path.chain.size() == 3);
                CHECK(s.embedded_certificates.size() == 2);
            }
        }
    }
}

TEST_CASE("RSA-PSS CMS carries RSASSA-PSS parameters", "[cms]") {
    CmsSignOptions o = options_with(HashAlgorithm::Sha384, false);
    o.scheme = SignatureScheme::RsaPss;
    Bytes cms = cms_sign(as_bytes(kContent), signer_for(shared_ca().rsa_person->sign), o);
    auto j = describe_cms(cms);
    REQUIRE(j["signers"].size() == 1);
    CHECK(j["signers"][0]["signatureAlgorithm"] == "RSASSA-PSS");
    CHECK(j["signers"][0]["digestAlgorithm"] == "SHA384");
    CHECK(j["signers"][0]["signedAttributes"]["cardSerial"] == "TP0123456789");
    CHECK(j["certificates"].size() == 2);
    // The hash inside the PSS parameters must match the digest: verified above in
    // read_algorithms; here check the encoded params name SHA-384 and MGF1.
    auto oid_sha384 = Bytes{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
    auto oid_mgf1 = Bytes{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
    CHECK_NOTHROW(cmstest::find_bytes(cms, oid_mgf1));
    CHECK_NOTHROW(cmstest::find_bytes(cms, oid_sha384));
}

TEST_CASE("cms_sign_digest makes a detached CMS over a precomputed hash", "[cms]") {
    const auto& ca = shared_ca();
    CmsSignOptions o = options_with(HashAlgorithm::Sha512, false);
    Bytes d = digest(HashAlgorithm::Sha512, as_bytes(kContent));
    Bytes cms = cms_sign_digest(d, signer_for(ca.ec_person->sign), o);
    CHECK(verify_cms(cms, as_bytes(kContent), ca.trust(), {}).ok());
    CHECK(verify_cms_digest(cms, d, HashAlgorithm::Sha512, ca.trust(), {}).ok());
    auto wrong_alg = verify_cms_signature_digest(cms, Bytes(32), HashAlgorithm::Sha256);
    CHECK(wrong_alg.status == ValidationStatus::ContentMismatch);
    auto wrong_digest = verify_cms_signature_digest(cms, Bytes(64), HashAlgorithm::Sha512);
    CHECK(wrong_digest.status == ValidationStatus::ContentMismatch);
    CHECK(verify_cms_signature(cms).status == ValidationStatus::ContentMissing);
    CHECK_THROWS_AS(cms_sign_digest(Bytes(32), signer_for(ca.ec_person->sign), o), PkcsError);
}

TEST_CASE("the external signer sees the signed-attributes hash; raw ECDSA is accepted", "[cms]") {
    const auto& cred = shared_ca().ec_person->sign;
    int calls = 0;
    ExternalSigner raw_card{cred.certificate, [&](ByteView d, HashAlgorithm h, SignatureScheme s) {
                                ++calls;
                                CHECK(d.size() == hash_size(h));
                                CHECK(s == SignatureScheme::Ecdsa);
                                // A PKCS#11 token returns r||s.
                                return ecdsa_der_to_raw(raw_sign(cred.key.get(), d, h, s), 32);
                            }};
    Bytes cms = cms_sign(as_bytes(kContent), raw_card, options_with(HashAlgorithm::Sha384, false));
    CHECK(calls == 1);
    CHECK(verify_cms(cms, std::nullopt, shared_ca().trust(), {}).ok());
}

TEST_CASE("cms_sign refuses a signature from the wrong key and bad options", "[cms]") {
    const auto& ca = shared_ca();
    ExternalSigner wrong{ca.rsa_person->sign.certificate,
                         [&](ByteView d, HashAlgorithm h, SignatureScheme s) {
                             return raw_sign(ca.rsa_person->auth.key.get(), d, h, s);
                         }};
    CHECK_THROWS_AS(cms_sign(as_bytes(kContent), wrong, {}), PkcsError);
    ExternalSigner garbage{ca.ec_person->sign.certificate,
                           [](ByteView, HashAlgorithm, SignatureScheme) { return Bytes(5, 1); }};
    CHECK_THROWS_AS(cms_sign(as_bytes(kContent), garbage, {}), PkcsError);
    CmsSignOptions pss_on_ec;
    pss_on_ec.scheme = SignatureScheme::RsaPss;
    CHECK_THROWS_AS(cms_sign(as_bytes(kContent), signer_for(ca.ec_person->sign), pss_on_ec),
                    PkcsError);
    CmsSignOptions bad_serial;
    bad_serial.card_serial = "序號";
    CHECK_THROWS_AS(cms_sign(as_bytes(kContent), signer_for(ca.ec_person->sign), bad_serial),
                    PkcsError);
    CHECK_THROWS_AS(software_signer(ca.rsa_person->sign.certificate,
                                    EvpPkeyPtr(EVP_PKEY_dup(ca.ec_person->sign.key.get()))),
                    PkcsError);
}

TEST_CASE("software_signer signs like a card would", "[cms]") {
    const auto& cred = shared_ca().rsa_person->sign;
    ExternalSigner s = software_signer(cred.certificate, EvpPkeyPtr(EVP_PKEY_dup(cred.key.get())));
    Bytes cms = cms_sign(as_bytes(kContent), s, {});
    auto r = verify_cms(cms, std::nullopt, shared_ca().trust(), {});
    CHECK(r.ok());
    // Default signing time is now.
    REQUIRE(r.signature.attributes.signing_time);
    CHECK(std::abs(*r.signature.attributes.signing_time - cmstest::now()) < 60);
    std::string pem = cms_der_to_pem(cms);
    CHECK(pem.rfind("-----BEGIN CMS-----", 0) == 0);
    CHECK(verify_cms(as_bytes(pem), std::nullopt, shared_ca().trust(), {}).ok());
    std::string b64 = base64_encode(cms);
    CHECK(verify_cms(as_bytes(b64), std::nullopt, shared_ca().trust(), {}).ok());
}

TEST_CASE("tampering is rejected with the specific reason", "[cms]") {
    const auto& ca = shared_ca();
    const auto& cred = ca.rsa_person->sign;
    Bytes cms =
        cms_sign(as_bytes(kContent), signer_for(cred), options_with(HashAlgorithm::Sha256, false));
    REQUIRE(verify_cms_signature(cms).ok());

    SECTION("content") {
        auto at = cmstest::find_bytes(cms, as_bytes("pkibridge test content"));
        auto r = verify_cms_signature(cmstest::flipped(cms, at + 3));
        CHECK(r.status == ValidationStatus::ContentMismatch);
    }
    SECTION("detached content") {
        CmsSignOptions o = options_with(HashAlgorithm::Sha256, true);
        Bytes detached = cms_sign(as_bytes(kContent), signer_for(cred), o);
        auto r = verify_cms_signature(detached, as_bytes(kContent + "."));
        CHECK(r.status == ValidationStatus::ContentMismatch);
        // Content supplied for an attached CMS must equal the embedded one.
        CHECK(verify_cms_signature(cms, as_bytes("other")).status ==
              ValidationStatus::ContentMismatch);
        CHECK(verify_cms_signature(cms, as_bytes(kContent)).ok());
    }
    SECTION("signature value") {
        auto r = verify_cms_signature(cmstest::flipped(cms, cms.size() - 1));
        CHECK(r.status == ValidationStatus::SignatureInvalid);
    }
    SECTION("signed attribute (signingTime)") {
        auto at = cmstest::find_bytes(cms, as_bytes("231114221320Z"));
        auto r = verify_cms_signature(cmstest::flipped(cms, at + 11));  // :20 -> :21 seconds
        CHECK(r.status == ValidationStatus::SignatureInvalid);
    }
    SECTION("signed attribute (card serial)") {
        auto at = cmstest::find_bytes(cms, as_bytes("TP0123456789"));
        auto r = verify_cms_signature(cmstest::flipped(cms, at + 4));
        CHECK(r.status == ValidationStatus::SignatureInvalid);
    }
    SECTION("embedded signer certificate") {
        Bytes cert_der = cred.certificate.der();
        auto at = cmstest::find_bytes(cms, cert_der);
        // Last byte of the certificate's own signature: the key still matches, but the
        // signingCertificateV2 hash does not.
        auto r = verify_cms(cmstest::flipped(cms, at + cert_der.size() - 1), std::nullopt,
                            ca.trust(), {});
        CHECK(r.status == ValidationStatus::SignerMismatch);
    }
    SECTION("chain not embedded") {
        CmsSignOptions o = options_with(HashAlgorithm::Sha256, false);
        o.chain.clear();
        Bytes only_signer = cms_sign(as_bytes(kContent), signer_for(cred), o);
        CHECK(verify_cms(only_signer, std::nullopt, ca.trust(), {}).ok());  // chain in trust
        CHECK(verify_cms(only_signer, std::nullopt, TrustStore{{ca.ca->root()}, {}}, {}).status ==
              ValidationStatus::Untrusted);
    }
}

TEST_CASE("an attached CMS whose content holds PEM armour is still read as DER", "[cms]") {
    const auto& ca = shared_ca();
    const std::string pem_text = "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n";
    Bytes cms = cms_sign(as_bytes(pem_text), signer_for(ca.ec_person->sign),
                         options_with(HashAlgorithm::Sha256, false));
    CmsVerifyResult r = verify_cms(cms, std::nullopt, ca.trust(), {});
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(r.signature.content == Bytes(pem_text.begin(), pem_text.end()));
}
