// Streaming CRL parser: walks the DER once, decodes the header fields with OpenSSL and
// packs every revoked entry into a compact sorted index (see crl.hpp for the design).
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>

#include "crl_impl.hpp"
#include "der_walk.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "x509_util.hpp"

namespace pkibridge::pkcs::certdetail {
namespace {

using ExtensionsPtr =
    std::unique_ptr<STACK_OF(X509_EXTENSION), void (*)(STACK_OF(X509_EXTENSION)*)>;
void free_extensions(STACK_OF(X509_EXTENSION) * exts) {
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

[[noreturn]] void malformed(const std::string& message) {
    drain_openssl_errors();
    throw PkcsError(ErrorCode::Malformed, "CRL: " + message);
}

template <class T, class D2i>
T* decode(const Tlv& tlv, D2i d2i, const char* what) {
    const unsigned char* p = tlv.begin;
    T* value = d2i(nullptr, &p, static_cast<long>(tlv.size()));
    if (value == nullptr || p != tlv.end) malformed(std::string("invalid ") + what);
    return value;
}

std::int64_t decode_time(const Tlv& tlv, ASN1_TIME*& reuse, const char* what) {
    const unsigned char* p = tlv.begin;
    if (d2i_ASN1_TIME(&reuse, &p, static_cast<long>(tlv.size())) == nullptr || p != tlv.end)
        malformed(std::string("invalid ") + what);
    try {
        return asn1_time_to_unix(reuse);
    } catch (const PkcsError&) {
        malformed(std::string("invalid ") + what);
    }
}

// d2i_ASN1_TIME reuses an existing object: one allocation for a million entries.
struct TimeScratch {
    ASN1_TIME* value = nullptr;
    TimeScratch() = default;
    TimeScratch(const TimeScratch&) = delete;
    TimeScratch& operator=(const TimeScratch&) = delete;
    ~TimeScratch() { ASN1_TIME_free(value); }
};

struct EnumeratedScratch {
    ASN1_ENUMERATED* value = nullptr;
    EnumeratedScratch() = default;
    EnumeratedScratch(const EnumeratedScratch&) = delete;
    EnumeratedScratch& operator=(const EnumeratedScratch&) = delete;
    ~EnumeratedScratch() { ASN1_ENUMERATED_free(value); }
};

bool is_time(const Tlv& tlv) {
    return tlv.is(V_ASN1_UTCTIME) || tlv.is(V_ASN1_GENERALIZEDTIME);
}

ExtensionsPtr decode_extensions(const Tlv& tlv, const char* what) {
    return ExtensionsPtr(decode<STACK_OF(X509_EXTENSION)>(tlv, d2i_X509_EXTENSIONS, what),
                         free_extensions);
}

template <class T>
T* extension_value(X509_EXTENSION* ext, const char* what) {
    void* value = X509V3_EXT_d2i(ext);
    if (value == nullptr) malformed(std::string("invalid ") + what + " extension");
    return static_cast<T*>(value);
}

CrlNumber to_crl_number(ASN1_INTEGER* value) {
    if (ASN1_STRING_type(value) == V_ASN1_NEG_INTEGER) malformed("negative CRL number");
    return CrlNumber{integer_magnitude(value)};
}

std::vector<std::string> reason_flags(const ASN1_BIT_STRING* bits) {
    static constexpr const char* kFlags[] = {
        "unused",      "keyCompromise",        "cACompromise",    "affiliationChanged",
        "superseded",  "cessationOfOperation", "certificateHold", "privilegeWithdrawn",
        "aACompromise"};
    std::vector<std::string> out;
    for (int i = 0; i < 9; ++i)
        if (ASN1_BIT_STRING_get_bit(bits, i)) out.emplace_back(kFlags[i]);
    return out;
}

void read_crl_extensions(Crl::Impl& crl, const Tlv& tlv) {
    ExtensionsPtr exts = decode_extensions(tlv, "crlExtensions");
    for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
        X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
        switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
            case NID_crl_number: {
                OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free> n(
                    extension_value<ASN1_INTEGER>(ext, "cRLNumber"));
                crl.number = to_crl_number(n.get());
                break;
            }
            case NID_delta_crl: {
                OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free> n(
                    extension_value<ASN1_INTEGER>(ext, "deltaCRLIndicator"));
                crl.delta_base = to_crl_number(n.get());
                break;
            }
            case NID_issuing_distribution_point: {
                OsslPtr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(
                    extension_value<ISSUING_DIST_POINT>(ext, "issuingDistributionPoint"));
                IssuingDistributionPoint out;
                if (idp->distpoint != nullptr && idp->distpoint->type == 0)
                    out.uris = general_name_uris(idp->distpoint->name.fullname);
                out.only_user_certs = idp->onlyuser > 0;
                out.only_ca_certs = idp->onlyCA > 0;
                out.only_attribute_certs = idp->onlyattr > 0;
                out.indirect_crl = idp->indirectCRL > 0;
                if (idp->onlysomereasons != nullptr)
                    out.only_some_reasons = reason_flags(idp->onlysomereasons);
                crl.idp = std::move(out);
                break;
            }
            case NID_authority_key_identifier: {
                OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(
                    extension_value<AUTHORITY_KEYID>(ext, "authorityKeyIdentifier"));
                if (akid->keyid != nullptr) {
                    const unsigned char* d = ASN1_STRING_get0_data(akid->keyid);
                    crl.akid = Bytes(d, d + ASN1_STRING_length(akid->keyid));
                }
                break;
            }
            case NID_issuer_alt_name:
            case NID_freshest_crl:
            case NID_info_access:
                break;
            default:
                if (X509_EXTENSION_get_critical(ext)) crl.unhandled_critical = true;
        }
    }
}

// Positive INTEGER content -> magnitude (fast path, no allocation); negative serials go
// through OpenSSL. Non-minimal encodings are rejected as OpenSSL does.
void read_serial(const Tlv& tlv, Bytes& scratch, bool& negative) {
    if (!tlv.is(V_ASN1_INTEGER) || tlv.content_size() == 0)
        malformed("revoked entry without a valid serial number");
    const std::uint8_t* c = tlv.content;
    std::size_t n = tlv.content_size();
    if (n > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) || (c[0] == 0xFF && (c[1] & 0x80))))
        malformed("revoked entry serial number is not minimally encoded");
    scratch.clear();
    negative = (c[0] & 0x80) != 0;
    if (!negative) {
        std::size_t skip = 0;
        while (skip < n && c[skip] == 0) ++skip;
        scratch.assign(c + skip, c + n);
        return;
    }
    Asn1IntegerPtr value(decode<ASN1_INTEGER>(tlv, d2i_ASN1_INTEGER, "serial number"));
    scratch = integer_magnitude(value.get());
}

class EntryReader {
public:
    explicit EntryReader(Crl::Impl& crl) : crl_(crl) {}

    void read(const Tlv& entry) {
        if (!entry.is(V_ASN1_SEQUENCE)) malformed("revoked entry is not a SEQUENCE");
        const std::uint8_t* p = entry.content;
        bool negative = false;
        read_serial(read_tlv(p, entry.end, "CRL revoked entry"), serial_, negative);
        Tlv date = read_tlv(p, entry.end, "CRL revoked entry");
        if (!is_time(date)) malformed("revoked entry without a revocation date");
        // Many entries share a revocation time (batch revocations): reuse the last result.
        std::int64_t revoked_at = 0;
        if (date.size() == last_time_der_.size() &&
            std::memcmp(date.begin, last_time_der_.data(), date.size()) == 0) {
            revoked_at = last_time_;
        } else {
            revoked_at = decode_time(date, time_.value, "revocationDate");
            last_time_der_.assign(date.begin, date.end);
            last_time_ = revoked_at;
        }
        int reason = kReasonNone;
        if (p < entry.end) {
            Tlv exts = read_tlv(p, entry.end, "CRL revoked entry");
            if (!exts.is(V_ASN1_SEQUENCE)) malformed("invalid crlEntryExtensions");
            if (!reason_only(exts, reason)) reason = read_entry_extensions(exts);
        }
        if (p != entry.end) malformed("unexpected data in a revoked entry");
        add(negative, revoked_at, reason);
    }

private:
    // Fast path for the common case (a lone non-critical reasonCode): reads the OID and
    // the ENUMERATED with OpenSSL's decoders into reused objects, no allocation per entry.
    // Returns false for anything else, which then takes the general path.
    bool reason_only(const Tlv& exts, int& reason) {
        const std::uint8_t* p = exts.content;
        if (p >= exts.end) return false;
        Tlv ext = read_tlv(p, exts.end, "CRL entry extensions");
        if (p != exts.end || !ext.is(V_ASN1_SEQUENCE)) return false;
        const std::uint8_t* q = ext.content;
        Tlv oid = read_tlv(q, ext.end, "CRL entry extension");
        if (!oid.is(V_ASN1_OBJECT) || q >= ext.end) return false;
        const ASN1_OBJECT* reason_obj = OBJ_nid2obj(NID_crl_reason);
        const std::size_t reason_len = static_cast<std::size_t>(OBJ_length(reason_obj));
        if (oid.content_size() != reason_len ||
            std::memcmp(oid.content, OBJ_get0_data(reason_obj), reason_len) != 0)
            return false;
        Tlv value = read_tlv(q, ext.end, "CRL entry extension");
        if (!value.is(V_ASN1_OCTET_STRING) || q != ext.end) return false;  // e.g. critical flag
        const unsigned char* v = value.content;
        if (d2i_ASN1_ENUMERATED(&enumerated_.value, &v, static_cast<long>(value.content_size())) ==
                nullptr ||
            v != value.end)
            malformed("invalid reasonCode extension");
        long code = ASN1_ENUMERATED_get(enumerated_.value);
        if (code < 0 || code > 10 || code == 7) malformed("invalid reasonCode value");
        reason = static_cast<int>(code);
        return true;
    }

    int read_entry_extensions(const Tlv& tlv) {
        int reason = kReasonNone;
        ExtensionsPtr exts = decode_extensions(tlv, "crlEntryExtensions");
        for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
            X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
            switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
                case NID_crl_reason: {
                    OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free> value(
                        extension_value<ASN1_ENUMERATED>(ext, "reasonCode"));
                    long code = ASN1_ENUMERATED_get(value.get());
                    if (code < 0 || code > 10 || code == 7) malformed("invalid reasonCode value");
                    reason = static_cast<int>(code);
                    break;
                }
                case NID_certificate_issuer:
                    set_certificate_issuer(ext);
                    break;
                case NID_invalidity_date:
                    break;
                default:
                    if (X509_EXTENSION_get_critical(ext)) crl_.unhandled_critical = true;
            }
        }
        return reason;
    }

    // certificateIssuer applies to this entry and the following ones (RFC 5280 5.3.3).
    void set_certificate_issuer(X509_EXTENSION* ext) {
        OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free> names(
            extension_value<GENERAL_NAMES>(ext, "certificateIssuer"));
        for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
            GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
            if (gn->type != GEN_DIRNAME) continue;
            EntryIssuer issuer;
            issuer.der = name_der(gn->d.directoryName);
            for (std::size_t k = 0; k < crl_.entry_issuers.size(); ++k) {
                if (crl_.entry_issuers[k].der == issuer.der) {
                    current_issuer_ = static_cast<std::uint32_t>(k);
                    return;
                }
            }
            issuer.name.reset(X509_NAME_dup(gn->d.directoryName));
            if (!issuer.name) throw_openssl(ErrorCode::Crypto, "X509_NAME_dup failed");
            issuer.text = name_to_string(issuer.name.get());
            crl_.entry_issuers.push_back(std::move(issuer));
            current_issuer_ = static_cast<std::uint32_t>(crl_.entry_issuers.size() - 1);
            return;
        }
        malformed("certificateIssuer extension without a directory name");
    }

    void add(bool negative, std::int64_t revoked_at, int reason) {
        if (serial_.size() > kInlineSerial) {
            crl_.long_entries.push_back({serial_, negative, revoked_at, reason, current_issuer_});
            return;
        }
        PackedEntry e{};
        e.revoked_at = revoked_at;
        e.issuer_ref = current_issuer_;
        e.length = static_cast<std::uint8_t>(serial_.size());
        e.negative = negative ? 1 : 0;
        e.reason = static_cast<std::int8_t>(reason);
        std::memcpy(e.serial.data(), serial_.data(), serial_.size());
        crl_.entries.push_back(e);
    }

    Crl::Impl& crl_;
    Bytes serial_;
    TimeScratch time_;
    EnumeratedScratch enumerated_;
    Bytes last_time_der_;
    std::int64_t last_time_ = 0;
    std::uint32_t current_issuer_ = kNoIssuer;
};

void read_revoked(Crl::Impl& crl, const Tlv& list) {
    // Estimate the count from the first entry's size to avoid repeated growth.
    if (list.content_size() > 0) {
        const std::uint8_t* q = list.content;
        Tlv first = read_tlv(q, list.end, "CRL revokedCertificates");
        crl.entries.reserve(list.content_size() / std::max<std::size_t>(first.size(), 16) + 16);
    }
    EntryReader reader(crl);
    for (const std::uint8_t* p = list.content; p < list.end;)
        reader.read(read_tlv(p, list.end, "CRL revokedCertificates"));
    // The estimate is close; only give memory back when it is far off (a shrink copies).
    if (crl.entries.capacity() > crl.entries.size() + crl.entries.size() / 8 + 64)
        crl.entries.shrink_to_fit();
    std::sort(crl.entries.begin(), crl.entries.end(), packed_less);
    std::sort(crl.long_entries.begin(), crl.long_entries.end(),
              [](const LongEntry& a, const LongEntry& b) {
                  return std::tie(a.negative, a.serial) < std::tie(b.negative, b.serial);
              });
    build_hash_index(crl);
}

void read_tbs(Crl::Impl& crl, const Tlv& tbs) {
    const char* what = "CRL tbsCertList";
    const std::uint8_t* p = tbs.content;
    Tlv tlv = read_tlv(p, tbs.end, what);
    if (tlv.is(V_ASN1_INTEGER)) {
        Asn1IntegerPtr version(decode<ASN1_INTEGER>(tlv, d2i_ASN1_INTEGER, "CRL version"));
        if (ASN1_INTEGER_get(version.get()) != 1)
            malformed("unsupported CRL version (only v2 is defined)");
        tlv = read_tlv(p, tbs.end, what);
    }
    X509AlgorPtr inner(decode<X509_ALGOR>(tlv, d2i_X509_ALGOR, "tbsCertList signature"));
    if (X509_ALGOR_cmp(inner.get(), crl.signature_algorithm.get()) != 0)
        malformed("signature algorithm inside tbsCertList differs from the outer one");

    tlv = read_tlv(p, tbs.end, what);
    crl.issuer.reset(decode<X509_NAME>(tlv, d2i_X509_NAME, "issuer name"));
    crl.issuer_der.assign(tlv.begin, tlv.end);
    crl.issuer_text = name_to_string(crl.issuer.get());

    TimeScratch time;
    tlv = read_tlv(p, tbs.end, what);
    if (!is_time(tlv)) malformed("missing thisUpdate");
    crl.this_update = decode_time(tlv, time.value, "thisUpdate");
    if (p >= tbs.end) return;

    tlv = read_tlv(p, tbs.end, what);
    if (is_time(tlv)) {
        crl.next_update = decode_time(tlv, time.value, "nextUpdate");
        if (p >= tbs.end) return;
        tlv = read_tlv(p, tbs.end, what);
    }
    if (tlv.is(V_ASN1_SEQUENCE)) {
        read_revoked(crl, tlv);
        if (p >= tbs.end) return;
        tlv = read_tlv(p, tbs.end, what);
    }
    if (tlv.xclass == V_ASN1_CONTEXT_SPECIFIC && tlv.tag == 0 && tlv.constructed) {
        const std::uint8_t* q = tlv.content;
        Tlv exts = read_tlv(q, tlv.end, what);
        if (q != tlv.end || !exts.is(V_ASN1_SEQUENCE)) malformed("invalid crlExtensions");
        read_crl_extensions(crl, exts);
        if (p == tbs.end) return;
    }
    malformed("unexpected element in tbsCertList");
}

}  // namespace

std::shared_ptr<const Crl::Impl> parse_crl_der(Bytes der) {
    auto crl = std::make_shared<Crl::Impl>();
    crl->der = std::move(der);
    if (crl->der.empty()) malformed("empty input");
    const std::uint8_t* begin = crl->der.data();
    const std::uint8_t* limit = begin + crl->der.size();
    const std::uint8_t* p = begin;
    Tlv outer = read_tlv(p, limit, "CRL");
    if (!outer.is(V_ASN1_SEQUENCE)) malformed("not a CertificateList SEQUENCE");
    if (outer.end != limit) malformed("trailing data after the DER");

    p = outer.content;
    Tlv tbs = read_tlv(p, outer.end, "CRL");
    if (!tbs.is(V_ASN1_SEQUENCE)) malformed("tbsCertList is not a SEQUENCE");
    crl->tbs_offset = static_cast<std::size_t>(tbs.begin - begin);
    crl->tbs_size = tbs.size();
    Tlv alg = read_tlv(p, outer.end, "CRL");
    crl->signature_algorithm.reset(decode<X509_ALGOR>(alg, d2i_X509_ALGOR, "signatureAlgorithm"));
    Tlv sig = read_tlv(p, outer.end, "CRL");
    crl->signature.reset(decode<ASN1_BIT_STRING>(sig, d2i_ASN1_BIT_STRING, "signature"));
    if (p != outer.end) malformed("unexpected data after the signature");

    read_tbs(*crl, tbs);
    return crl;
}

}  // namespace pkibridge::pkcs::certdetail
