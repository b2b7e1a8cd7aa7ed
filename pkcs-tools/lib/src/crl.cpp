// Crl: parsing entry points, accessors, lookups and signature checks.
#include "pkibridge/pkcs/crl.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "crl_impl.hpp"
#include "pem_der.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "signed_der.hpp"
#include "x509_util.hpp"

namespace pkibridge::pkcs {
namespace {

constexpr std::string_view kCrlLabel = "X509 CRL";

Bytes spki_der(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key, &der);
    if (len <= 0) throw_openssl(ErrorCode::InvalidArgument, "cannot encode public key");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

ByteView strip_zeros(ByteView serial) {
    std::size_t skip = 0;
    while (skip < serial.size() && serial[skip] == 0) ++skip;
    return serial.subspan(skip);
}

// Reads a file in one allocation of its exact size (CRLs can be tens of MB).
Bytes read_exact(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return read_file(path);  // not a regular file: let read_file report or stream
    Bytes data(static_cast<std::size_t>(size));
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) throw PkcsError(ErrorCode::Io, "cannot open " + path.string());
    std::size_t got = data.empty() ? 0 : std::fread(data.data(), 1, data.size(), f);
    std::fclose(f);
    if (got != data.size()) throw PkcsError(ErrorCode::Io, "cannot read " + path.string());
    return data;
}

}  // namespace

RevocationEntry Crl::Impl::expand(const certdetail::PackedEntry& e) const {
    RevocationEntry out;
    out.serial.assign(e.serial.begin(), e.serial.begin() + e.length);
    out.serial_negative = e.negative != 0;
    out.revoked_at = e.revoked_at;
    out.reason = e.reason;
    if (e.issuer_ref != certdetail::kNoIssuer) {
        out.certificate_issuer = entry_issuers[e.issuer_ref].text;
        out.certificate_issuer_der = entry_issuers[e.issuer_ref].der;
    }
    return out;
}

RevocationEntry Crl::Impl::expand(const certdetail::LongEntry& e) const {
    RevocationEntry out;
    out.serial = e.serial;
    out.serial_negative = e.negative;
    out.revoked_at = e.revoked_at;
    out.reason = e.reason;
    if (e.issuer_ref != certdetail::kNoIssuer) {
        out.certificate_issuer = entry_issuers[e.issuer_ref].text;
        out.certificate_issuer_der = entry_issuers[e.issuer_ref].der;
    }
    return out;
}

Crl Crl::from_der(ByteView der) {
    return Crl(certdetail::parse_crl_der(Bytes(der.begin(), der.end())));
}

Crl Crl::parse(ByteView data) {
    if (detail::looks_like_pem(data)) {
        auto blocks = detail::read_pem_blocks(data, "CRL");
        for (auto& block : blocks)
            if (block.label == kCrlLabel)
                return Crl(certdetail::parse_crl_der(std::move(block.der)));
        throw PkcsError(ErrorCode::Malformed,
                        "CRL: PEM holds no X509 CRL block (found '" + blocks.front().label + "')");
    }
    return Crl(certdetail::parse_crl_der(detail::der_or_base64(data, "CRL")));
}

Crl Crl::load(const std::filesystem::path& path) {
    Bytes data = read_exact(path);
    try {
        // Hand the bytes over without copies: big CRLs are tens of MB.
        if (!detail::looks_like_pem(data)) {
            if (!data.empty() && data[0] == 0x30)
                return Crl(certdetail::parse_crl_der(std::move(data)));
            return parse(data);
        }
        auto blocks = detail::read_pem_blocks(data, "CRL");
        data = Bytes();
        for (auto& block : blocks)
            if (block.label == kCrlLabel)
                return Crl(certdetail::parse_crl_der(std::move(block.der)));
        throw PkcsError(ErrorCode::Malformed,
                        "CRL: PEM holds no X509 CRL block (found '" + blocks.front().label + "')");
    } catch (const PkcsError& e) {
        throw PkcsError(e.code(), path.string() + ": " + e.what());
    }
}

std::vector<Crl> parse_crls(ByteView data) {
    std::vector<Crl> out;
    if (!detail::looks_like_pem(data)) {
        out.push_back(Crl::parse(data));
        return out;
    }
    for (auto& block : detail::read_pem_blocks(data, "CRL bundle"))
        if (block.label == kCrlLabel) out.push_back(Crl::from_der(block.der));
    if (out.empty()) throw PkcsError(ErrorCode::Malformed, "CRL bundle: no X509 CRL block found");
    return out;
}

std::vector<Crl> load_crls(const std::filesystem::path& path) {
    Bytes data = read_exact(path);
    try {
        return parse_crls(data);
    } catch (const PkcsError& e) {
        throw PkcsError(e.code(), path.string() + ": " + e.what());
    }
}

const Bytes& Crl::der() const noexcept {
    return impl_->der;
}
std::string Crl::pem() const {
    return detail::pem_encode(kCrlLabel, impl_->der);
}
std::string Crl::issuer() const {
    return impl_->issuer_text;
}
const Bytes& Crl::issuer_der() const noexcept {
    return impl_->issuer_der;
}
X509_NAME* Crl::issuer_name() const noexcept {
    return impl_->issuer.get();
}
std::int64_t Crl::this_update() const noexcept {
    return impl_->this_update;
}
std::optional<std::int64_t> Crl::next_update() const noexcept {
    return impl_->next_update;
}
bool Crl::expired_at(std::int64_t unix_time) const noexcept {
    return impl_->next_update && *impl_->next_update < unix_time;
}
std::optional<CrlNumber> Crl::number() const {
    return impl_->number;
}
std::optional<CrlNumber> Crl::delta_base() const {
    return impl_->delta_base;
}
std::optional<IssuingDistributionPoint> Crl::issuing_distribution_point() const {
    return impl_->idp;
}
bool Crl::is_indirect() const noexcept {
    return impl_->idp && impl_->idp->indirect_crl;
}
std::optional<Bytes> Crl::authority_key_identifier() const {
    return impl_->akid;
}
bool Crl::has_unhandled_critical_extension() const noexcept {
    return impl_->unhandled_critical;
}

std::string Crl::signature_algorithm() const {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, impl_->signature_algorithm.get());
    int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef) return OBJ_nid2ln(nid);
    return certdetail::object_oid(obj);
}

std::size_t Crl::size() const noexcept {
    return impl_->entries.size() + impl_->long_entries.size();
}

RevocationEntry Crl::entry(std::size_t index) const {
    if (index < impl_->entries.size()) return impl_->expand(impl_->entries[index]);
    index -= impl_->entries.size();
    if (index < impl_->long_entries.size()) return impl_->expand(impl_->long_entries[index]);
    throw PkcsError(ErrorCode::InvalidArgument, "CRL entry index out of range");
}

std::optional<RevocationEntry> Crl::find(ByteView serial, bool negative) const {
    serial = strip_zeros(serial);
    if (serial.size() > certdetail::kInlineSerial) {
        for (const auto& e : impl_->long_entries)
            if (e.negative == negative &&
                std::equal(e.serial.begin(), e.serial.end(), serial.begin(), serial.end()))
                return impl_->expand(e);
        return std::nullopt;
    }
    std::size_t at = certdetail::find_packed(*impl_, certdetail::packed_key(serial, negative));
    if (at == impl_->entries.size()) return std::nullopt;
    return impl_->expand(impl_->entries[at]);
}

std::optional<RevocationEntry> Crl::find_hex(std::string_view serial_hex) const {
    std::string hex(serial_hex);
    if (hex.size() % 2) hex.insert(hex.begin(), '0');
    return find(hex_decode(hex));
}

std::optional<RevocationEntry> Crl::find(const Certificate& cert) const {
    Bytes serial = cert.serial_bytes();
    bool negative = cert.serial_negative();
    if (!is_indirect()) return find(serial, negative);
    // Indirect CRL: the same serial may appear for several issuers; match the issuer too.
    auto matches_issuer = [&](std::uint32_t ref) {
        const X509_NAME* name = ref == certdetail::kNoIssuer ? impl_->issuer.get()
                                                             : impl_->entry_issuers[ref].name.get();
        return X509_NAME_cmp(name, cert.issuer_name()) == 0;
    };
    if (serial.size() > certdetail::kInlineSerial) {
        for (const auto& e : impl_->long_entries)
            if (e.negative == negative && e.serial == serial && matches_issuer(e.issuer_ref))
                return impl_->expand(e);
        return std::nullopt;
    }
    const auto key = certdetail::packed_key(serial, negative);
    for (std::size_t at = certdetail::find_packed(*impl_, key);
         at < impl_->entries.size() && certdetail::packed_equal(impl_->entries[at], key); ++at)
        if (matches_issuer(impl_->entries[at].issuer_ref)) return impl_->expand(impl_->entries[at]);
    return std::nullopt;
}

// The cached signature check, keyed by the SPKI DER of the key.
static bool verify_signature_cached(const Crl::Impl& impl, Bytes spki, EVP_PKEY* key) {
    std::lock_guard lock(impl.verify_mutex);
    for (const auto& [known, result] : impl.verified_keys)
        if (known == spki) return result;
    bool ok =
        certdetail::verify_signed_tbs(ByteView(impl.der).subspan(impl.tbs_offset, impl.tbs_size),
                                      impl.signature_algorithm.get(), impl.signature.get(), key);
    impl.verified_keys.emplace_back(std::move(spki), ok);
    return ok;
}

bool Crl::verify_signature(EVP_PKEY* key) const {
    if (key == nullptr) throw PkcsError(ErrorCode::InvalidArgument, "no key to verify the CRL");
    return verify_signature_cached(*impl_, spki_der(key), key);
}

bool Crl::verify_signature(const Certificate& issuer) const {
    if (X509_NAME_cmp(issuer.subject_name(), impl_->issuer.get()) != 0) return false;
    // The certificate's own SubjectPublicKeyInfo as the cache key: re-encoding it is plain
    // ASN.1, while i2d_PUBKEY goes through OpenSSL 3.0's encoders (~0.2 ms a call), which
    // made every cached check of a path as slow as a signature verification.
    unsigned char* der = nullptr;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer.native()), &der);
    if (len <= 0) throw_openssl(ErrorCode::InvalidArgument, "cannot encode public key");
    Bytes spki(der, der + len);
    OPENSSL_free(der);
    return verify_signature_cached(*impl_, std::move(spki), issuer.public_key());
}

X509CrlPtr Crl::to_x509_crl() const {
    const unsigned char* p = impl_->der.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(impl_->der.size())));
    if (!crl) throw_openssl(ErrorCode::Malformed, "OpenSSL rejected the CRL");
    return crl;
}

}  // namespace pkibridge::pkcs

namespace pkibridge::pkcs {

bool Crl::covers_issuer(const X509_NAME* issuer) const {
    if (X509_NAME_cmp(impl_->issuer.get(), issuer) == 0) return true;
    if (!is_indirect()) return false;
    for (const auto& e : impl_->entry_issuers)
        if (X509_NAME_cmp(e.name.get(), issuer) == 0) return true;
    return false;
}

}  // namespace pkibridge::pkcs
