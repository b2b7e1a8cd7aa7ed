// TestCa revocation and CRL issuing, including fast padding with random entries for
// benchmarks (a million entries in about a second).
#include <openssl/x509v3.h>

#include <cstring>

#include "cert_builder.hpp"
#include "der_walk.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "signed_der.hpp"
#include "test_ca_state.hpp"

namespace pkibridge::pkcs {
namespace {

using X509RevokedPtr = OsslPtr<X509_REVOKED, X509_REVOKED_free>;
using Asn1EnumeratedPtr = OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;

X509RevokedPtr make_revoked(ByteView serial, std::int64_t at, int reason) {
    X509RevokedPtr rev(X509_REVOKED_new());
    Asn1IntegerPtr number(certdetail::serial_integer(serial));
    Asn1TimePtr date(unix_to_asn1_time(at));
    if (!rev || X509_REVOKED_set_serialNumber(rev.get(), number.get()) != 1 ||
        X509_REVOKED_set_revocationDate(rev.get(), date.get()) != 1)
        throw_openssl(ErrorCode::Crypto, "cannot build revoked entry");
    if (reason != kReasonNone) {
        Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
        if (!code || ASN1_ENUMERATED_set(code.get(), reason) != 1 ||
            X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, code.get(), 0, 0) != 1)
            throw_openssl(ErrorCode::Crypto, "cannot add reasonCode");
    }
    return rev;
}

// DER of `count` revoked entries with random 16-octet serials, back to back. One entry
// object per reason is re-encoded with a new serial each time.
Bytes random_entries_der(std::size_t count, std::int64_t revoked_at) {
    static constexpr int kReasons[] = {kReasonKeyCompromise, kReasonSuperseded,
                                       kReasonCessationOfOperation, kReasonAffiliationChanged};
    Bytes out;
    if (count == 0) return out;
    Bytes random = certdetail::random_bytes(count * 16);
    std::vector<X509RevokedPtr> templates;
    for (int reason : kReasons)
        templates.push_back(make_revoked(certdetail::random_serial(), revoked_at, reason));
    Asn1IntegerPtr serial(ASN1_INTEGER_new());
    if (!serial) throw_openssl(ErrorCode::Crypto, "allocation failed");
    for (std::size_t i = 0; i < count; ++i) {
        std::uint8_t* s = random.data() + i * 16;
        s[0] = static_cast<std::uint8_t>((s[0] & 0x7F) | 0x10);  // positive, 16 octets
        X509_REVOKED* rev = templates[i % templates.size()].get();
        if (ASN1_STRING_set(serial.get(), s, 16) != 1 ||
            X509_REVOKED_set_serialNumber(rev, serial.get()) != 1)
            throw_openssl(ErrorCode::Crypto, "cannot set serial");
        int len = i2d_X509_REVOKED(rev, nullptr);
        if (len <= 0) throw_openssl(ErrorCode::Crypto, "cannot encode revoked entry");
        if (out.empty()) out.reserve(static_cast<std::size_t>(len + 2) * count);
        std::size_t at = out.size();
        out.resize(at + static_cast<std::size_t>(len));
        unsigned char* p = out.data() + at;
        i2d_X509_REVOKED(rev, &p);
    }
    return out;
}

// tbsCertList with `extra` appended to its revokedCertificates (created if absent).
Bytes splice_revoked(ByteView tbs, ByteView extra) {
    const std::uint8_t* p = tbs.data();
    certdetail::Tlv outer = certdetail::read_tlv(p, tbs.data() + tbs.size(), "tbsCertList");
    // The revoked list is the SEQUENCE after thisUpdate/nextUpdate; without one, the
    // padding goes right after the last Time (before the [0] extensions).
    const std::uint8_t* insert_at = nullptr;
    std::optional<certdetail::Tlv> list;
    for (const std::uint8_t* q = outer.content; q < outer.end;) {
        certdetail::Tlv tlv = certdetail::read_tlv(q, outer.end, "tbsCertList");
        if (tlv.is(V_ASN1_UTCTIME) || tlv.is(V_ASN1_GENERALIZEDTIME)) {
            insert_at = tlv.end;
        } else if (insert_at != nullptr && tlv.is(V_ASN1_SEQUENCE)) {
            list = tlv;
            break;
        }
    }
    if (insert_at == nullptr) throw PkcsError(ErrorCode::Internal, "tbsCertList without a time");
    Bytes content;
    if (list) {
        content.assign(outer.content, list->begin);
        certdetail::append_header(content, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, true,
                                  list->content_size() + extra.size());
        content.insert(content.end(), list->content, list->end);
        content.insert(content.end(), extra.begin(), extra.end());
        content.insert(content.end(), list->end, outer.end);
    } else {
        content.assign(outer.content, insert_at);
        certdetail::append_header(content, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, true, extra.size());
        content.insert(content.end(), extra.begin(), extra.end());
        content.insert(content.end(), insert_at, outer.end);
    }
    Bytes out;
    out.reserve(content.size() + 8);
    certdetail::append_header(out, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, true, content.size());
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

void add_crl_ext(X509_CRL* crl, int nid, void* value) {
    if (X509_CRL_add1_ext_i2d(crl, nid, value, nid == NID_delta_crl ? 1 : 0, 0) != 1)
        throw_openssl(ErrorCode::Crypto,
                      std::string("cannot add CRL extension ") + OBJ_nid2sn(nid));
}

}  // namespace

void TestCa::revoke(const Certificate& cert, int reason, std::optional<std::int64_t> at) {
    if (reason == kReasonRemoveFromCrl)
        throw PkcsError(ErrorCode::InvalidArgument,
                        "removeFromCRL is only meaningful in delta CRLs");
    std::optional<TestCaId> issuer;
    for (TestCaId id : kAllTestCas) {
        const Certificate& ca = certificate(id);
        if (X509_NAME_cmp(ca.subject_name(), cert.issuer_name()) == 0 &&
            X509_verify(cert.native(), ca.public_key()) == 1) {
            issuer = id;
            break;
        }
    }
    drain_openssl_errors();
    if (!issuer)
        throw PkcsError(ErrorCode::InvalidArgument,
                        "certificate " + cert.serial_hex() + " (" + cert.subject() +
                            ") was not issued by the test CA in " + dir().string());
    const std::string ca_name(test_ca_name(*issuer));
    const std::string serial = cert.serial_hex();
    nlohmann::json& revoked = state_->data["revoked"];
    for (auto it = revoked.begin(); it != revoked.end();) {
        if ((*it)["ca"] == ca_name && (*it)["serial"] == serial)
            it = revoked.erase(it);
        else
            ++it;
    }
    revoked.push_back({{"ca", ca_name},
                       {"serial", serial},
                       {"revokedAt", at.value_or(now_unix())},
                       {"reason", reason}});
    state_->save();
}

Bytes TestCa::make_crl_der(TestCaId id, const CrlOptions& options) {
    const std::int64_t this_update = options.this_update.value_or(now_unix());
    if (!options.next_update && (options.days < 1 || options.days > 3650))
        throw PkcsError(ErrorCode::InvalidArgument, "CRL --days must be between 1 and 3650");
    const std::int64_t next_update =
        options.next_update.value_or(this_update + std::int64_t{86400} * options.days);
    if (next_update <= this_update)
        throw PkcsError(ErrorCode::InvalidArgument, "nextUpdate must be later than thisUpdate");
    if (options.extra_revoked > 50'000'000)
        throw PkcsError(ErrorCode::InvalidArgument, "--extra-revoked is limited to 50,000,000");

    const std::string ca_name(test_ca_name(id));
    const Certificate& ca_cert = certificate(id);
    EVP_PKEY* ca_key = key(id);
    X509CrlPtr crl(X509_CRL_new());
    Asn1TimePtr last(unix_to_asn1_time(this_update));
    Asn1TimePtr next(unix_to_asn1_time(next_update));
    if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), ca_cert.subject_name()) != 1 ||
        X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1)
        throw_openssl(ErrorCode::Crypto, "cannot fill CRL fields");

    for (const auto& r : state_->data["revoked"]) {
        if (r.at("ca") != ca_name) continue;
        X509RevokedPtr rev =
            make_revoked(hex_decode(r.at("serial").get<std::string>()),
                         r.at("revokedAt").get<std::int64_t>(), r.at("reason").get<int>());
        if (X509_CRL_add0_revoked(crl.get(), rev.get()) != 1)
            throw_openssl(ErrorCode::Crypto, "cannot add revoked entry");
        rev.release();
    }
    X509_CRL_sort(crl.get());

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca_cert.native(), nullptr, nullptr, crl.get(), 0);
    X509ExtensionPtr akid(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    if (!akid || X509_CRL_add_ext(crl.get(), akid.get(), -1) != 1)
        throw_openssl(ErrorCode::Crypto, "cannot add authorityKeyIdentifier");
    auto& numbers = state_->data["crlNumbers"];
    const std::uint64_t number = numbers.value(ca_name, std::uint64_t{0}) + 1;
    Asn1IntegerPtr crl_number(ASN1_INTEGER_new());
    if (!crl_number || ASN1_INTEGER_set_uint64(crl_number.get(), number) != 1)
        throw_openssl(ErrorCode::Crypto, "cannot set CRL number");
    add_crl_ext(crl.get(), NID_crl_number, crl_number.get());
    if (options.delta_base) {
        Asn1IntegerPtr base(ASN1_INTEGER_new());
        if (!base || ASN1_INTEGER_set_uint64(base.get(), *options.delta_base) != 1)
            throw_openssl(ErrorCode::Crypto, "cannot set base CRL number");
        add_crl_ext(crl.get(), NID_delta_crl, base.get());
    }
    if (X509_CRL_sign(crl.get(), ca_key, EVP_sha256()) <= 0)
        throw_openssl(ErrorCode::Crypto, "CRL signing failed");

    Bytes der;
    if (options.extra_revoked == 0) {
        unsigned char* out = nullptr;
        int len = i2d_X509_CRL(crl.get(), &out);
        if (len <= 0) throw_openssl(ErrorCode::Crypto, "cannot encode CRL");
        der.assign(out, out + len);
        OPENSSL_free(out);
    } else {
        // Large CRLs: encode the signed-once tbs, splice the padding into its revoked list
        // and sign the result again, never holding a million X509_REVOKED objects.
        unsigned char* out = nullptr;
        int len = i2d_re_X509_CRL_tbs(crl.get(), &out);
        if (len <= 0) throw_openssl(ErrorCode::Crypto, "cannot encode tbsCertList");
        Bytes tbs(out, out + len);
        OPENSSL_free(out);
        Bytes extra = random_entries_der(options.extra_revoked, this_update - 86400);
        Bytes spliced = splice_revoked(tbs, extra);
        extra = Bytes();
        der = certdetail::sign_tbs(spliced, ca_key, EVP_sha256());
    }
    numbers[ca_name] = number;
    state_->save();
    return der;
}

Crl TestCa::make_crl(TestCaId id, const CrlOptions& options) {
    return Crl::from_der(make_crl_der(id, options));
}

}  // namespace pkibridge::pkcs
