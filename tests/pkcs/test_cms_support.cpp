// Implementation of cms_test_support.hpp (no test cases here).
#include <openssl/conf.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "cms_test_support.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace cmstest {
namespace {

EvpPkeyPtr generate(const std::string& kind) {
    EvpPkeyPtr key;
    if (kind == "rsa2048")
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
    else if (kind == "ec256")
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    else if (kind == "ec384")
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    if (!key) throw std::runtime_error("key generation failed for " + kind);
    return key;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    if (value.empty()) return;
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        throw std::runtime_error("cannot add extension " + std::string(OBJ_nid2sn(nid)) + "=" +
                                 value + ": " + drain_openssl_errors());
}

}  // namespace

std::int64_t now() {
    return now_unix();
}

EVP_PKEY* cached_key(const std::string& kind, int index) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, int>, EvpPkeyPtr> keys;
    std::lock_guard lock(mutex);
    auto& slot = keys[{kind, index}];
    if (!slot) slot = generate(kind);
    return slot.get();
}

Certificate make_cert(CertSpec spec) {
    const std::int64_t t = now();
    if (spec.not_before == 0) spec.not_before = t - kDay;
    if (spec.not_after == 0) spec.not_after = t + 30 * kDay;
    if (spec.key == nullptr) spec.key = cached_key("ec256");
    if (spec.issuer_key == nullptr) spec.issuer_key = spec.key;
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    Asn1IntegerPtr serial(ASN1_INTEGER_new());
    long sn = spec.serial;
    if (sn == 0) {
        RAND_bytes(reinterpret_cast<unsigned char*>(&sn), sizeof sn);
        sn = (sn & 0x3FFFFFFFFFFFL) | 0x100000;
    }
    ASN1_INTEGER_set(serial.get(), sn);
    X509_set_serialNumber(cert.get(), serial.get());
    X509NamePtr name(X509_NAME_new());
    X509_NAME_add_entry_by_txt(name.get(), "C", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("TW"), -1, -1, 0);
    if (!spec.extra_name.empty())
        X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(spec.extra_name.c_str()),
                                   -1, -1, 0);
    X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
    X509_set_subject_name(cert.get(), name.get());
    X509_set_issuer_name(cert.get(), spec.issuer ? spec.issuer->subject_name() : name.get());
    Asn1TimePtr nb(unix_to_asn1_time(spec.not_before));
    Asn1TimePtr na(unix_to_asn1_time(spec.not_after));
    X509_set1_notBefore(cert.get(), nb.get());
    X509_set1_notAfter(cert.get(), na.get());
    X509_set_pubkey(cert.get(), spec.key);

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, spec.issuer ? spec.issuer->native() : cert.get(), cert.get(), nullptr,
                   nullptr, 0);
    // certificatePolicies is parsed through a config database, even an empty one.
    OsslPtr<CONF, NCONF_free> conf(NCONF_new(nullptr));
    X509V3_set_nconf(&ctx, conf.get());
    if (spec.ca) {
        std::string bc = "critical,CA:TRUE";
        if (spec.path_len >= 0) bc += ",pathlen:" + std::to_string(spec.path_len);
        add_ext(cert.get(), &ctx, NID_basic_constraints, bc);
    }
    if (spec.key_usage.empty())
        spec.key_usage =
            spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation";
    if (spec.key_usage != "none") add_ext(cert.get(), &ctx, NID_key_usage, spec.key_usage);
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (spec.issuer) add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    add_ext(cert.get(), &ctx, NID_ext_key_usage, spec.eku);
    add_ext(cert.get(), &ctx, NID_certificate_policies, spec.policies);
    if (!spec.crl_dp.empty())
        add_ext(cert.get(), &ctx, NID_crl_distribution_points, "URI:" + spec.crl_dp);
    if (X509_sign(cert.get(), spec.issuer_key, EVP_sha256()) <= 0)
        throw std::runtime_error("X509_sign failed: " + drain_openssl_errors());
    return Certificate(std::move(cert));
}

Crl make_crl(const CrlSpec& spec) {
    const std::int64_t t = now();
    OsslPtr<X509_CRL, X509_CRL_free> crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2);
    X509_CRL_set_issuer_name(crl.get(), spec.issuer->subject_name());
    Asn1TimePtr tu(unix_to_asn1_time(spec.this_update ? spec.this_update : t - 3600));
    Asn1TimePtr nu(unix_to_asn1_time(spec.next_update ? spec.next_update : t + 7 * kDay));
    X509_CRL_set1_lastUpdate(crl.get(), tu.get());
    X509_CRL_set1_nextUpdate(crl.get(), nu.get());
    for (const RevokedSpec& r : spec.revoked) {
        X509_REVOKED* rev = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(r.cert->native()));
        Asn1TimePtr at(unix_to_asn1_time(r.at ? r.at : t - 3600));
        X509_REVOKED_set_revocationDate(rev, at.get());
        if (r.reason >= 0) {
            OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> code(ASN1_ENUMERATED_new());
            ASN1_ENUMERATED_set(code.get(), r.reason);
            X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, code.get(), 0, 0);
        }
        if (r.with_certificate_issuer) {
            GENERAL_NAMES* names = GENERAL_NAMES_new();
            GENERAL_NAME* gn = GENERAL_NAME_new();
            GENERAL_NAME_set0_value(gn, GEN_DIRNAME, X509_NAME_dup(r.cert->issuer_name()));
            sk_GENERAL_NAME_push(names, gn);
            X509_REVOKED_add1_ext_i2d(rev, NID_certificate_issuer, names, 1, 0);
            GENERAL_NAMES_free(names);
        }
        X509_CRL_add0_revoked(crl.get(), rev);
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, spec.issuer->native(), nullptr, nullptr, crl.get(), 0);
    X509ExtensionPtr akid(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    if (!akid || X509_CRL_add_ext(crl.get(), akid.get(), -1) != 1)
        throw std::runtime_error("CRL AKID failed: " + drain_openssl_errors());
    Asn1IntegerPtr number(ASN1_INTEGER_new());
    ASN1_INTEGER_set(number.get(), spec.number);
    X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
    if (spec.delta_base) {
        Asn1IntegerPtr base(ASN1_INTEGER_new());
        ASN1_INTEGER_set(base.get(), *spec.delta_base);
        X509_CRL_add1_ext_i2d(crl.get(), NID_delta_crl, base.get(), 1, 0);
    }
    if (spec.indirect) {
        OsslPtr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(ISSUING_DIST_POINT_new());
        idp->indirectCRL = 1;
        X509_CRL_add1_ext_i2d(crl.get(), NID_issuing_distribution_point, idp.get(), 1, 0);
    }
    X509_CRL_sort(crl.get());
    if (X509_CRL_sign(crl.get(), spec.key, EVP_sha256()) <= 0)
        throw std::runtime_error("X509_CRL_sign failed: " + drain_openssl_errors());
    unsigned char* der = nullptr;
    int len = i2d_X509_CRL(crl.get(), &der);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return Crl::from_der(out);
}

const MiniPki& mini_pki() {
    static const MiniPki pki = [] {
        EVP_PKEY* rk = cached_key("ec256", 100);
        EVP_PKEY* ik = cached_key("ec256", 101);
        EVP_PKEY* lk = cached_key("ec256", 102);
        Certificate root = make_cert({.cn = "Mini Root", .key = rk, .ca = true});
        Certificate inter = make_cert(
            {.cn = "Mini Intermediate", .key = ik, .issuer = &root, .issuer_key = rk, .ca = true});
        Certificate leaf = make_cert({.cn = "Mini Leaf",
                                      .key = lk,
                                      .issuer = &inter,
                                      .issuer_key = ik,
                                      .eku = "clientAuth"});
        return MiniPki{root, inter, leaf, rk, ik, lk};
    }();
    return pki;
}

TrustStore SharedCa::trust() const {
    return TrustStore{{ca->root()}, ca->intermediates()};
}

const SharedCa& shared_ca() {
    static std::unique_ptr<TestCa> ca;
    static std::unique_ptr<IssuedPair> rsa, ec;
    static std::filesystem::path dir;
    static const SharedCa shared = [] {
        dir = std::filesystem::temp_directory_path() /
              ("pkibridge-cms-unit-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        // Registered first so the directory goes away even if setting up fails.
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        });
        // EC CA keys: ctest runs every test case in its own process, and five RSA key
        // generations per process would dominate the run time. The RSA signer below
        // still exercises RSA signatures end to end.
        TestCaInitOptions init;
        init.key = KeySpec::EcP256;
        ca = std::make_unique<TestCa>(TestCa::init(dir, init));
        IssueOptions o;
        o.type = HolderType::Person;
        o.name = "測試 RSA";
        o.national_id = "A123456789";
        o.key = KeySpec::Rsa2048;
        rsa = std::make_unique<IssuedPair>(ca->issue(o));
        o.name = "測試 EC";
        o.key = KeySpec::EcP256;
        ec = std::make_unique<IssuedPair>(ca->issue(o));
        return SharedCa{dir, ca.get(), rsa.get(), ec.get()};
    }();
    return shared;
}

Bytes flipped(ByteView data, std::size_t index, std::uint8_t mask) {
    Bytes out(data.begin(), data.end());
    out.at(index) ^= mask;
    return out;
}

std::size_t find_bytes(ByteView haystack, ByteView needle) {
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
    if (it == haystack.end()) throw std::runtime_error("bytes not found");
    return static_cast<std::size_t>(it - haystack.begin());
}

}  // namespace cmstest
