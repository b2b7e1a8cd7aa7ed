// Certificate extensions: key usage, EKU, policies, CRL distribution points, CA flags.
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>

#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "x509_util.hpp"

namespace pkibridge::pkcs {
namespace {

// RFC 5280 KeyUsage bit order.
constexpr std::array<std::string_view, 9> kKeyUsageBits = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly"};

template <class T, auto FreeFn>
OsslPtr<T, FreeFn> extension(const X509* cert, int nid, const char* what,
                             bool* critical = nullptr) {
    return OsslPtr<T, FreeFn>(
        static_cast<T*>(certdetail::certificate_extension(cert, nid, what, critical)));
}

using KeyUsagePtr = OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using EkuPtr = OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using PoliciesPtr = OsslPtr<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
using CrlDpPtr = OsslPtr<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using BasicConstraintsPtr = OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using AkidPtr = OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;

}  // namespace

std::vector<std::string> Certificate::key_usage() const {
    auto ku = extension<ASN1_BIT_STRING, ASN1_BIT_STRING_free>(native(), NID_key_usage, "keyUsage");
    std::vector<std::string> out;
    if (!ku) return out;
    for (std::size_t bit = 0; bit < kKeyUsageBits.size(); ++bit)
        if (ASN1_BIT_STRING_get_bit(ku.get(), static_cast<int>(bit)))
            out.emplace_back(kKeyUsageBits[bit]);
    return out;
}

bool Certificate::has_key_usage_extension() const {
    return X509_get_ext_by_NID(native(), NID_key_usage, -1) >= 0;
}

bool Certificate::key_usage_critical() const {
    int idx = X509_get_ext_by_NID(native(), NID_key_usage, -1);
    return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(native(), idx)) == 1;
}

bool Certificate::has_key_usage(std::string_view name) const {
    auto names = key_usage();
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> Certificate::extended_key_usage() const {
    auto eku = extension<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(native(), NID_ext_key_usage,
                                                                      "extendedKeyUsage");
    std::vector<std::string> out;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i)
        out.push_back(certdetail::object_name(sk_ASN1_OBJECT_value(eku.get(), i)));
    return out;
}

std::vector<std::string> Certificate::extended_key_usage_oids() const {
    auto eku = extension<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(native(), NID_ext_key_usage,
                                                                      "extendedKeyUsage");
    std::vector<std::string> out;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i)
        out.push_back(certdetail::object_oid(sk_ASN1_OBJECT_value(eku.get(), i)));
    return out;
}

bool Certificate::has_extended_key_usage_extension() const {
    return X509_get_ext_by_NID(native(), NID_ext_key_usage, -1) >= 0;
}

std::vector<std::string> Certificate::policies() const {
    auto policies = extension<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>(
        native(), NID_certificate_policies, "certificatePolicies");
    std::vector<std::string> out;
    for (int i = 0; policies && i < sk_POLICYINFO_num(policies.get()); ++i)
        out.push_back(certdetail::object_oid(sk_POLICYINFO_value(policies.get(), i)->policyid));
    return out;
}

std::vector<std::string> Certificate::crl_distribution_points() const {
    auto dps = extension<CRL_DIST_POINTS, CRL_DIST_POINTS_free>(
        native(), NID_crl_distribution_points, "cRLDistributionPoints");
    std::vector<std::string> out;
    for (int i = 0; dps && i < sk_DIST_POINT_num(dps.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
        if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;
        for (auto& uri : certdetail::general_name_uris(dp->distpoint->name.fullname))
            out.push_back(std::move(uri));
    }
    return out;
}

bool Certificate::is_ca() const {
    auto bc = extension<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(native(), NID_basic_constraints,
                                                                   "basicConstraints");
    return bc && bc->ca != 0;
}

std::optional<int> Certificate::path_length() const {
    auto bc = extension<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(native(), NID_basic_constraints,
                                                                   "basicConstraints");
    if (!bc || bc->ca == 0 || bc->pathlen == nullptr) return std::nullopt;
    long value = ASN1_INTEGER_get(bc->pathlen);
    if (value < 0 || value > 1000000)
        throw PkcsError(ErrorCode::Malformed, "basicConstraints pathLenConstraint out of range");
    return static_cast<int>(value);
}

std::optional<Bytes> Certificate::subject_key_identifier() const {
    auto ski = extension<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>(
        native(), NID_subject_key_identifier, "subjectKeyIdentifier");
    if (!ski) return std::nullopt;
    const unsigned char* d = ASN1_STRING_get0_data(ski.get());
    return Bytes(d, d + ASN1_STRING_length(ski.get()));
}

std::optional<Bytes> Certificate::authority_key_identifier() const {
    auto akid = extension<AUTHORITY_KEYID, AUTHORITY_KEYID_free>(
        native(), NID_authority_key_identifier, "authorityKeyIdentifier");
    if (!akid || akid->keyid == nullptr) return std::nullopt;
    const unsigned char* d = ASN1_STRING_get0_data(akid->keyid);
    return Bytes(d, d + ASN1_STRING_length(akid->keyid));
}

}  // namespace pkibridge::pkcs
