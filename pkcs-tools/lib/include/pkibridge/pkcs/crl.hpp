// X.509 certificate revocation lists (RFC 5280 section 5), built for large CRLs.
//
// Memory design: a parsed Crl keeps its DER (needed to check the signature, to serve or
// cache the CRL again) and a compact sorted index of the revoked serials (about 40 bytes an
// entry), never OpenSSL's per-entry X509_REVOKED objects. A 1,000,000-entry CRL therefore
// costs roughly DER size + 40 MB. Copies of a Crl share that state (cheap, thread-safe to
// read). Signature results are cached per issuer key, so repeated checks are free.
#pragma once

#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

// RFC 5280 CRLReason codes (value 7 is unused in the standard).
enum CrlReason : int {
    kReasonNone = -1,  // entry has no reasonCode extension
    kReasonUnspecified = 0,
    kReasonKeyCompromise = 1,
    kReasonCaCompromise = 2,
    kReasonAffiliationChanged = 3,
    kReasonSuperseded = 4,
    kReasonCessationOfOperation = 5,
    kReasonCertificateHold = 6,
    kReasonRemoveFromCrl = 8,
    kReasonPrivilegeWithdrawn = 9,
    kReasonAaCompromise = 10,
};
// "keyCompromise", "cACompromise", ... (RFC 5280 spelling); "none" for -1, "unknown" otherwise.
std::string_view crl_reason_name(int reason) noexcept;
// Accepts the RFC names case-insensitively (also "none" -> -1 and decimal codes);
// throws PkcsError(InvalidArgument) listing the accepted names.
int parse_crl_reason(std::string_view name);

// A CRL number / base CRL number: an unbounded non-negative INTEGER (up to 20 octets).
struct CrlNumber {
    Bytes magnitude;              // big-endian, no leading zeros (empty = 0)
    std::string hex() const;      // uppercase, "0" for zero
    std::string decimal() const;  // base 10
    static CrlNumber from_uint(std::uint64_t value);
    std::strong_ordering operator<=>(const CrlNumber& other) const;
    bool operator==(const CrlNumber& other) const = default;
};

struct RevocationEntry {
    Bytes serial;  // big-endian magnitude, no leading zeros
    bool serial_negative = false;
    std::int64_t revoked_at = 0;  // Unix seconds
    int reason = kReasonNone;     // CrlReason code
    // Indirect CRLs only: the certificateIssuer in force for this entry (RFC 5280 5.3.3).
    std::optional<std::string> certificate_issuer;  // RFC 2253 string, UTF-8
    std::optional<Bytes> certificate_issuer_der;    // DER of that X509 Name
    std::string_view reason_name() const noexcept { return crl_reason_name(reason); }
    std::string serial_hex() const;  // uppercase hex like Certificate::serial_hex()
};

struct IssuingDistributionPoint {
    std::vector<std::string> uris;  // fullName URIs of distributionPoint
    bool only_user_certs = false;
    bool only_ca_certs = false;
    bool only_attribute_certs = false;
    bool indirect_crl = false;
    // Reason names when onlySomeReasons is present (a partial CRL), else empty optional.
    std::optional<std::vector<std::string>> only_some_reasons;
};

class Crl {
public:
    // DER, PEM ("X509 CRL") or base64 of DER; throws PkcsError(Malformed) with a specific
    // message on anything else (also for truncated input and trailing garbage in DER).
    static Crl parse(ByteView data);
    static Crl from_der(ByteView der);
    static Crl load(const std::filesystem::path& path);

    const Bytes& der() const noexcept;
    std::string pem() const;

    std::string issuer() const;  // RFC 2253, UTF-8
    const Bytes& issuer_der() const noexcept;
    X509_NAME* issuer_name() const noexcept;  // borrowed, lives as long as this Crl
    std::int64_t this_update() const noexcept;
    std::optional<std::int64_t> next_update() const noexcept;
    // True when nextUpdate is present and earlier than now (a stale CRL).
    bool expired_at(std::int64_t unix_time) const noexcept;
    std::optional<CrlNumber> number() const;
    // Delta CRL indicator: the base CRL number when this is a delta CRL.
    std::optional<CrlNumber> delta_base() const;
    bool is_delta() const noexcept { return delta_base().has_value(); }
    std::optional<IssuingDistributionPoint> issuing_distribution_point() const;
    bool is_indirect() const noexcept;
    // True when the CRL speaks for certificates of `issuer`: its own issuer name, or for
    // an indirect CRL any certificateIssuer named in its entries.
    bool covers_issuer(const X509_NAME* issuer) const;
    std::optional<Bytes> authority_key_identifier() const;
    std::string signature_algorithm() const;  // e.g. "sha256WithRSAEncryption"
    // A critical CRL or entry extension this library does not understand: RFC 5280 says
    // such a CRL must not be used to decide revocation status.
    bool has_unhandled_critical_extension() const noexcept;

    std::size_t size() const noexcept;  // revoked entries
    // O(log n) lookups by serial magnitude (as in Certificate::serial_bytes()).
    std::optional<RevocationEntry> find(ByteView serial, bool negative = false) const;
    std::optional<RevocationEntry> find_hex(std::string_view serial_hex) const;
    // Matches serial and, for indirect CRLs, the certificate's issuer.
    std::optional<RevocationEntry> find(const Certificate& cert) const;
    // Entries in serial order, index < size().
    RevocationEntry entry(std::size_t index) const;

    // Checks the CRL signature with the key; false on a wrong key or a bad signature,
    // throws only on unusable input. Results are cached per key.
    bool verify_signature(EVP_PKEY* key) const;
    // Also requires the issuer's subject to equal the CRL issuer name.
    bool verify_signature(const Certificate& issuer) const;

    // A full OpenSSL object (re-parses the DER: expensive for big CRLs; for callers that
    // need X509_STORE CRL checking on small CRLs).
    X509CrlPtr to_x509_crl() const;

    struct Impl;

private:
    explicit Crl(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

// Every CRL in a PEM bundle, or the single CRL in DER/base64.
std::vector<Crl> parse_crls(ByteView data);
std::vector<Crl> load_crls(const std::filesystem::path& path);

enum class RevocationStatus { Good, Revoked, Unknown };
std::string_view revocation_status_name(RevocationStatus status) noexcept;  // good/revoked/unknown

struct RevocationResult {
    RevocationStatus status = RevocationStatus::Unknown;
    std::optional<RevocationEntry> entry;  // when Revoked
    std::string detail;                    // why Unknown (or which CRL said Revoked/Good)
    std::optional<Crl> crl;                // the complete CRL that decided
};

// An immutable set of CRLs indexed by issuer name. Build once, share as
// std::shared_ptr<const CrlSet>, swap whole snapshots to update.
class CrlSet {
public:
    static std::shared_ptr<const CrlSet> build(std::vector<Crl> crls);

    std::size_t size() const noexcept { return crls_.size(); }
    const std::vector<Crl>& all() const noexcept { return crls_; }

    // CRLs whose issuer name equals the given name (X509_NAME_cmp), newest first
    // (highest CRL number, then latest thisUpdate).
    std::vector<Crl> complete_crls_for(const X509_NAME* issuer) const;
    std::vector<Crl> delta_crls_for(const X509_NAME* issuer) const;
    // Newest complete CRL for a certificate's issuer, and the newest delta CRL whose base
    // number is <= that complete CRL's number (std::nullopt when none).
    std::optional<Crl> latest_complete(const X509_NAME* issuer) const;
    std::optional<Crl> latest_delta(const X509_NAME* issuer, const Crl& complete) const;
    // Indirect CRLs (IDP indirectCRL) that hold at least one entry for this issuer.
    std::vector<Crl> indirect_crls_for(const X509_NAME* issuer) const;

    // Full revocation check of cert, whose issuer certificate is `issuer` (already
    // validated by the caller). Uses the newest complete CRL for the issuer name whose
    // signature verifies with issuer's key, checks freshness (nextUpdate >= now), scope
    // (IDP only-user/only-CA and distribution point names) and then the matching delta CRL.
    // Indirect CRLs are consulted when `indirect_signers` holds their (caller-validated)
    // signer. Unknown when no usable CRL exists, with the reason in `detail`.
    RevocationResult check(const Certificate& cert, const Certificate& issuer, std::int64_t now,
                           const std::vector<Certificate>& indirect_signers = {}) const;

private:
    // Indices into crls_ (newest first) for an issuer name, via its canonical-name hash.
    std::vector<std::size_t> candidates(const X509_NAME* issuer) const;

    std::vector<Crl> crls_;
    std::unordered_map<unsigned long, std::vector<std::size_t>> by_issuer_hash_;
};

}  // namespace pkibridge::pkcs
