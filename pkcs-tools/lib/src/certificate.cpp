// Certificate parsing, encoding and identity fields.
#include "pkibridge/pkcs/certificate.hpp"

#include <openssl/pem.h>

#include "pem_der.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/gpki_attributes.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "x509_util.hpp"

namespace pkibridge::pkcs {
namespace {

bool is_certificate_label(const std::string& label) {
    return label == "CERTIFICATE" || label == "X509 CERTIFICATE";
}

}  // namespace

std::string_view ca_kind_name(CaKind kind) noexcept {
    switch (kind) {
        case CaKind::Moica:
            return "MOICA";
        case CaKind::Moeaca:
            return "MOEACA";
        case CaKind::Xca:
            return "XCA";
        case CaKind::Gca:
            return "GCA";
        case CaKind::Other:
            return "other";
    }
    return "other";
}

Certificate::Certificate(X509Ptr cert) : cert_(std::move(cert)) {
    if (!cert_) throw PkcsError(ErrorCode::InvalidArgument, "null certificate");
}

Certificate::Certificate(const Certificate& other) {
    if (other.cert_) {
        X509_up_ref(other.cert_.get());
        cert_.reset(other.cert_.get());
    }
}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) {
        Certificate copy(other);
        cert_ = std::move(copy.cert_);
    }
    return *this;
}

Certificate Certificate::from_der(ByteView der) {
    if (der.empty()) throw PkcsError(ErrorCode::Malformed, "certificate: empty input");
    if (der.size() > static_cast<std::size_t>(INT32_MAX))
        throw PkcsError(ErrorCode::Malformed, "certificate: input too large");
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) {
        std::string detail = drain_openssl_errors();
        throw PkcsError(ErrorCode::Malformed, "certificate: invalid or truncated DER" +
                                                  (detail.empty() ? "" : " (" + detail + ")"));
    }
    if (p != der.data() + der.size())
        throw PkcsError(ErrorCode::Malformed, "certificate: trailing data after the DER");
    return Certificate(std::move(cert));
}

Certificate Certificate::from_pem(std::string_view pem) {
    auto blocks = detail::read_pem_blocks(as_bytes(pem), "certificate");
    for (const auto& block : blocks)
        if (is_certificate_label(block.label)) return from_der(block.der);
    throw PkcsError(ErrorCode::Malformed, "certificate: PEM holds no CERTIFICATE block (found '" +
                                              blocks.front().label + "')");
}

Certificate Certificate::parse(ByteView data) {
    if (detail::looks_like_pem(data)) return from_pem(to_string(data));
    return from_der(detail::der_or_base64(data, "certificate"));
}

Certificate Certificate::load(const std::filesystem::path& path) {
    Bytes data = read_file(path);
    try {
        return parse(data);
    } catch (const PkcsError& e) {
        throw PkcsError(e.code(), path.string() + ": " + e.what());
    }
}

std::vector<Certificate> parse_certificates(ByteView data) {
    std::vector<Certificate> out;
    if (!detail::looks_like_pem(data)) {
        out.push_back(Certificate::parse(data));
        return out;
    }
    for (const auto& block : detail::read_pem_blocks(data, "certificate bundle"))
        if (is_certificate_label(block.label)) out.push_back(Certificate::from_der(block.der));
    if (out.empty())
        throw PkcsError(ErrorCode::Malformed, "certificate bundle: no CERTIFICATE block found");
    return out;
}

std::vector<Certificate> load_certificates(const std::filesystem::path& path) {
    Bytes data = read_file(path);
    try {
        return parse_certificates(data);
    } catch (const PkcsError& e) {
        throw PkcsError(e.code(), path.string() + ": " + e.what());
    }
}

Bytes Certificate::der() const {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert_.get(), &der);
    if (len <= 0) throw_openssl(ErrorCode::Crypto, "cannot encode certificate");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

std::string Certificate::pem() const {
    return detail::pem_encode("CERTIFICATE", der());
}

X509_NAME* Certificate::subject_name() const noexcept {
    return X509_get_subject_name(cert_.get());
}
X509_NAME* Certificate::issuer_name() const noexcept {
    return X509_get_issuer_name(cert_.get());
}
std::string Certificate::subject() const {
    return certdetail::name_to_string(subject_name());
}
std::string Certificate::issuer() const {
    return certdetail::name_to_string(issuer_name());
}
Bytes Certificate::subject_der() const {
    return certdetail::name_der(subject_name());
}
Bytes Certificate::issuer_der() const {
    return certdetail::name_der(issuer_name());
}

std::string Certificate::subject_common_name() const {
    return certdetail::name_entry_text(subject_name(), NID_commonName);
}
std::string Certificate::subject_serial_number() const {
    return certdetail::name_entry_text(subject_name(), NID_serialNumber);
}

Bytes Certificate::serial_bytes() const {
    return certdetail::integer_magnitude(X509_get0_serialNumber(cert_.get()));
}
bool Certificate::serial_negative() const {
    return ASN1_STRING_type(X509_get0_serialNumber(cert_.get())) == V_ASN1_NEG_INTEGER;
}
std::string Certificate::serial_hex() const {
    return certdetail::serial_to_hex(serial_bytes());
}

std::int64_t Certificate::not_before() const {
    return asn1_time_to_unix(X509_get0_notBefore(cert_.get()));
}
std::int64_t Certificate::not_after() const {
    return asn1_time_to_unix(X509_get0_notAfter(cert_.get()));
}
bool Certificate::valid_at(std::int64_t unix_time) const {
    return unix_time >= not_before() && unix_time <= not_after();
}

EVP_PKEY* Certificate::public_key() const {
    EVP_PKEY* key = X509_get0_pubkey(cert_.get());
    if (key == nullptr)
        throw_openssl(ErrorCode::Unsupported, "certificate public key is unsupported or malformed");
    return key;
}

std::string Certificate::key_type() const {
    EVP_PKEY* key = X509_get0_pubkey(cert_.get());
    if (key == nullptr) {
        drain_openssl_errors();
        X509_PUBKEY* spki = X509_get_X509_PUBKEY(cert_.get());
        ASN1_OBJECT* alg = nullptr;
        if (spki == nullptr || X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, spki) != 1)
            return "unknown";
        return certdetail::object_name(alg);
    }
    const char* name = EVP_PKEY_get0_type_name(key);
    return name ? name : "unknown";
}

int Certificate::key_bits() const {
    EVP_PKEY* key = X509_get0_pubkey(cert_.get());
    if (key == nullptr) {
        drain_openssl_errors();
        return 0;
    }
    return EVP_PKEY_get_bits(key);
}

std::string Certificate::curve() const {
    EVP_PKEY* key = X509_get0_pubkey(cert_.get());
    if (key == nullptr) {
        drain_openssl_errors();
        return {};
    }
    return certdetail::ec_curve_name(key);
}

std::string Certificate::sha256_fingerprint() const {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert_.get(), EVP_sha256(), md, &len) != 1)
        throw_openssl(ErrorCode::Crypto, "certificate digest failed");
    return hex_encode(ByteView(md, len));
}

GpkiAttributes Certificate::gpki_attributes() const {
    int idx = X509_get_ext_by_NID(cert_.get(), NID_subject_directory_attributes, -1);
    if (idx < 0) return {};
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert_.get(), idx));
    return decode_gpki_attributes(
        ByteView(ASN1_STRING_get0_data(data), static_cast<std::size_t>(ASN1_STRING_length(data))));
}

CaKind Certificate::ca_kind() const {
    return classify_issuer(issuer_name());
}

bool Certificate::is_self_issued() const {
    return X509_NAME_cmp(subject_name(), issuer_name()) == 0;
}

bool Certificate::operator==(const Certificate& other) const {
    return X509_cmp(cert_.get(), other.cert_.get()) == 0;
}

}  // namespace pkibridge::pkcs
