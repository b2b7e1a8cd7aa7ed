// Internal: the shared state behind pkibridge::pkcs::Crl.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/crl.hpp"

namespace pkibridge::pkcs {

using Asn1BitStringPtr = OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;

namespace certdetail {

inline constexpr std::uint32_t kNoIssuer = 0xFFFFFFFFu;
inline constexpr std::size_t kInlineSerial = 24;

// One revoked certificate in 40 bytes. Serials longer than kInlineSerial octets (never
// seen from a conforming CA: RFC 5280 allows 20) go to Crl::Impl::long_entries instead.
struct PackedEntry {
    std::int64_t revoked_at;
    std::uint32_t issuer_ref;  // index into Impl::entry_issuers, or kNoIssuer
    std::uint8_t length;
    std::uint8_t negative;
    std::int8_t reason;
    std::uint8_t unused;
    std::array<std::uint8_t, kInlineSerial> serial;  // left-aligned, zero-padded
};
static_assert(sizeof(PackedEntry) == 40);

struct LongEntry {
    Bytes serial;
    bool negative;
    std::int64_t revoked_at;
    int reason;
    std::uint32_t issuer_ref;
};

struct EntryIssuer {
    Bytes der;
    X509NamePtr name;
    std::string text;
};

}  // namespace certdetail

struct Crl::Impl {
    Bytes der;
    std::size_t tbs_offset = 0;
    std::size_t tbs_size = 0;
    X509AlgorPtr signature_algorithm;
    Asn1BitStringPtr signature;

    X509NamePtr issuer;
    Bytes issuer_der;
    std::string issuer_text;
    std::int64_t this_update = 0;
    std::optional<std::int64_t> next_update;
    std::optional<CrlNumber> number;
    std::optional<CrlNumber> delta_base;
    std::optional<IssuingDistributionPoint> idp;
    std::optional<Bytes> akid;
    bool unhandled_critical = false;

    std::vector<certdetail::PackedEntry> entries;  // sorted by (negative, length, serial)
    // Open-addressing hash over `entries` (slot = index + 1, 0 = empty; the first entry of
    // a run of equal serials): O(1) lookups with one or two cache misses instead of the
    // ~20 of a binary search over a 40 MB array.
    std::vector<std::uint32_t> hash_slots;
    std::vector<certdetail::LongEntry> long_entries;
    std::vector<certdetail::EntryIssuer> entry_issuers;

    // Keys (SPKI DER) whose signature check already ran, with the result.
    mutable std::mutex verify_mutex;
    mutable std::vector<std::pair<Bytes, bool>> verified_keys;

    RevocationEntry expand(const certdetail::PackedEntry& e) const;
    RevocationEntry expand(const certdetail::LongEntry& e) const;
};

namespace certdetail {
std::shared_ptr<const Crl::Impl> parse_crl_der(Bytes der);
bool packed_less(const PackedEntry& a, const PackedEntry& b);
bool packed_equal(const PackedEntry& a, const PackedEntry& b);
PackedEntry packed_key(ByteView serial, bool negative);  // serial <= kInlineSerial octets
void build_hash_index(Crl::Impl& crl);
// Index of the first entry equal to key, or entries.size() when absent.
std::size_t find_packed(const Crl::Impl& crl, const PackedEntry& key);
}  // namespace certdetail

}  // namespace pkibridge::pkcs
