// X.509 certificates: parsing and the fields that the host, the tools and the server show
// or check, including the Taiwan GPKI attributes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

// GPKI object identifiers carried in the Subject Directory Attributes extension (2.5.29.9).
inline constexpr std::string_view kOidIdLast4 = "2.16.886.1.100.2.51";           // MOICA
inline constexpr std::string_view kOidBusinessNumber = "2.16.886.1.100.2.101";   // MOEACA
inline constexpr std::string_view kOidOrganisationOid = "2.16.886.1.100.2.102";  // GCA, XCA
// Signed CMS attributes used by HiPKI-style signatures.
inline constexpr std::string_view kOidCardSerial = "2.16.886.1.100.2.204";
inline constexpr std::string_view kOidRandomNonce = "1.2.840.113549.1.9.25.3";

struct GpkiAttributes {
    std::optional<std::string> id_last4;          // last four digits of the national ID
    std::optional<std::string> business_number;   // company unified business number (8 digits)
    std::optional<std::string> organisation_oid;  // agency / organisation OID
    bool empty() const { return !id_last4 && !business_number && !organisation_oid; }
};

// Which GPKI issuing CA family issued a certificate, decided from the issuer name.
enum class CaKind { Moica, Moeaca, Xca, Gca, Other };
std::string_view ca_kind_name(CaKind kind) noexcept;  // "MOICA", "MOEACA", "XCA", "GCA", "other"

class Certificate {
public:
    explicit Certificate(X509Ptr cert);  // takes ownership; throws on null
    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;

    static Certificate from_der(ByteView der);
    static Certificate from_pem(std::string_view pem);
    // Accepts PEM, DER or base64 of DER; throws PkcsError(Malformed) with a specific message.
    static Certificate parse(ByteView data);
    static Certificate load(const std::filesystem::path& path);

    X509* native() const noexcept { return cert_.get(); }
    Bytes der() const;
    std::string pem() const;

    std::string subject() const;  // RFC 2253 style, UTF-8, Chinese intact
    std::string issuer() const;
    std::string subject_common_name() const;  // "" when absent
    std::string serial_hex() const;           // uppercase hex of the serial's magnitude
    std::int64_t not_before() const;          // Unix seconds
    std::int64_t not_after() const;
    bool valid_at(std::int64_t unix_time) const;

    // Key usage bit names: digitalSignature, nonRepudiation, keyEncipherment,
    // dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly.
    std::vector<std::string> key_usage() const;
    bool has_key_usage_extension() const;
    bool has_key_usage(std::string_view name) const;
    // Extended key usage: OpenSSL short names where known (clientAuth, serverAuth,
    // emailProtection, codeSigning, ...), else the dotted OID.
    std::vector<std::string> extended_key_usage() const;
    std::vector<std::string> policies() const;                 // dotted OIDs
    std::vector<std::string> crl_distribution_points() const;  // URIs in order

    std::string key_type() const;  // "RSA", "RSA-PSS", "EC", "ED25519", ...
    int key_bits() const;
    std::string curve() const;     // "P-256", "P-384", ... or "" for non-EC keys
    EVP_PKEY* public_key() const;  // borrowed, lives as long as this certificate

    std::string sha256_fingerprint() const;  // lowercase hex, no separators
    GpkiAttributes gpki_attributes() const;
    CaKind ca_kind() const;
    bool is_ca() const;
    bool is_self_issued() const;

    bool operator==(const Certificate& other) const;

    // Additions (stable): raw access used by CRL lookup, path validation and the test CA.
    X509_NAME* subject_name() const noexcept;   // borrowed
    X509_NAME* issuer_name() const noexcept;    // borrowed
    Bytes subject_der() const;                  // DER of the subject Name
    Bytes issuer_der() const;                   // DER of the issuer Name
    Bytes serial_bytes() const;                 // big-endian magnitude, no leading zeros
    bool serial_negative() const;               // only broken CAs issue negative serials
    std::string subject_serial_number() const;  // subject serialNumber attribute ("" if none)
    std::optional<Bytes> subject_key_identifier() const;
    std::optional<Bytes> authority_key_identifier() const;     // keyIdentifier field only
    std::optional<int> path_length() const;                    // basicConstraints pathLenConstraint
    std::vector<std::string> extended_key_usage_oids() const;  // always dotted OIDs
    bool has_extended_key_usage_extension() const;
    bool key_usage_critical() const;

private:
    X509Ptr cert_;
};

// Every certificate in a PEM bundle, or the single certificate in DER.
std::vector<Certificate> parse_certificates(ByteView data);
std::vector<Certificate> load_certificates(const std::filesystem::path& path);

}  // namespace pkibridge::pkcs
