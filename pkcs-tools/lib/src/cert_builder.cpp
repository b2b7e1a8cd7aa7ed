#include "cert_builder.hpp"

#include <openssl/rand.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs::certdetail {

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
        throw_openssl(ErrorCode::Crypto, "RAND_bytes failed");
    return out;
}

Bytes random_serial() {
    Bytes serial = random_bytes(16);
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7F) | 0x10);
    return serial;
}

ASN1_INTEGER* serial_integer(ByteView magnitude) {
    BignumPtr bn(BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), nullptr));
    ASN1_INTEGER* value = bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr;
    if (value == nullptr) throw_openssl(ErrorCode::Crypto, "cannot build serial number");
    return value;
}

X509ExtensionPtr make_policies_extension(const std::vector<std::string>& oids) {
    using PoliciesPtr = OsslPtr<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>;
    PoliciesPtr policies(CERTIFICATEPOLICIES_new());
    if (!policies) throw_openssl(ErrorCode::Crypto, "allocation failed");
    for (const auto& oid : oids) {
        POLICYINFO* info = POLICYINFO_new();
        if (info == nullptr) throw_openssl(ErrorCode::Crypto, "allocation failed");
        ASN1_OBJECT_free(info->policyid);
        info->policyid = OBJ_txt2obj(oid.c_str(), 1);
        if (info->policyid == nullptr || sk_POLICYINFO_push(policies.get(), info) <= 0) {
            POLICYINFO_free(info);
            throw_openssl(ErrorCode::InvalidArgument, "invalid policy OID " + oid);
        }
    }
    X509ExtensionPtr ext(X509V3_EXT_i2d(NID_certificate_policies, 0, policies.get()));
    if (!ext) throw_openssl(ErrorCode::Crypto, "cannot encode certificatePolicies");
    return ext;
}

X509NamePtr make_name(const std::vector<std::pair<std::string, std::string>>& entries) {
    X509NamePtr name(X509_NAME_new());
    if (!name) throw_openssl(ErrorCode::Crypto, "X509_NAME_new failed");
    for (const auto& [field, value] : entries) {
        if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), -1, 0) != 1)
            throw_openssl(ErrorCode::InvalidArgument,
                          "cannot use '" + value + "' as " + field + " in a name");
    }
    return name;
}

X509Ptr build_certificate(const CertSpec& spec) {
    X509Ptr cert(X509_new());
    if (!cert) throw_openssl(ErrorCode::Crypto, "X509_new failed");
    Asn1IntegerPtr serial(serial_integer(spec.serial));
    Asn1TimePtr not_before(unix_to_asn1_time(spec.not_before));
    Asn1TimePtr not_after(unix_to_asn1_time(spec.not_after));
    X509* issuer = spec.issuer_cert != nullptr ? spec.issuer_cert : cert.get();
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
        X509_set_subject_name(cert.get(), spec.subject) != 1 ||
        X509_set_issuer_name(cert.get(), spec.issuer_cert != nullptr
                                             ? X509_get_subject_name(spec.issuer_cert)
                                             : spec.subject) != 1 ||
        X509_set1_notBefore(cert.get(), not_before.get()) != 1 ||
        X509_set1_notAfter(cert.get(), not_after.get()) != 1 ||
        X509_set_pubkey(cert.get(), spec.subject_key) != 1)
        throw_openssl(ErrorCode::Crypto, "cannot fill certificate fields");

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : spec.extensions) {
        X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
        if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1)
            throw_openssl(ErrorCode::InvalidArgument,
                          std::string("cannot build extension ") + OBJ_nid2sn(nid) + " = " + value);
    }
    for (X509_EXTENSION* ext : spec.raw_extensions)
        if (X509_add_ext(cert.get(), ext, -1) != 1)
            throw_openssl(ErrorCode::Crypto, "cannot add extension");
    if (X509_sign(cert.get(), spec.issuer_key, EVP_sha256()) <= 0)
        throw_openssl(ErrorCode::Crypto, "certificate signing failed");
    return cert;
}

}  // namespace pkibridge::pkcs::certdetail
