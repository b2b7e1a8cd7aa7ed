// The lookup index of a parsed CRL: sorted packed entries plus an open-addressing hash.
#include <cstring>

#include "crl_impl.hpp"
#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::pkcs::certdetail {
namespace {

std::uint64_t hash_entry(const PackedEntry& e) {
    // FNV-1a over the key bytes, then a final avalanche (serials may be sequential).
    std::uint64_t h = 1469598103934665603ull ^ (e.negative * 0x9E3779B97F4A7C15ull);
    h = (h ^ e.length) * 1099511628211ull;
    for (std::size_t i = 0; i < e.length; ++i) h = (h ^ e.serial[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

}  // namespace

bool packed_less(const PackedEntry& a, const PackedEntry& b) {
    if (a.negative != b.negative) return a.negative < b.negative;
    if (a.length != b.length) return a.length < b.length;
    return std::memcmp(a.serial.data(), b.serial.data(), kInlineSerial) < 0;
}

bool packed_equal(const PackedEntry& a, const PackedEntry& b) {
    return a.negative == b.negative && a.length == b.length &&
           std::memcmp(a.serial.data(), b.serial.data(), kInlineSerial) == 0;
}

PackedEntry packed_key(ByteView serial, bool negative) {
    PackedEntry key{};
    key.negative = negative ? 1 : 0;
    key.length = static_cast<std::uint8_t>(serial.size());
    std::memcpy(key.serial.data(), serial.data(), serial.size());
    return key;
}

void build_hash_index(Crl::Impl& crl) {
    const std::size_t n = crl.entries.size();
    if (n >= 0xFFFFFFFFu) throw PkcsError(ErrorCode::Unsupported, "CRL has too many entries");
    std::size_t slots = 16;
    while (slots < 2 * n) slots <<= 1;
    crl.hash_slots.assign(slots, 0);
    const std::size_t mask = slots - 1;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && packed_equal(crl.entries[i - 1], crl.entries[i])) continue;
        std::size_t at = hash_entry(crl.entries[i]) & mask;
        while (crl.hash_slots[at] != 0) at = (at + 1) & mask;
        crl.hash_slots[at] = static_cast<std::uint32_t>(i + 1);
    }
}

std::size_t find_packed(const Crl::Impl& crl, const PackedEntry& key) {
    if (crl.hash_slots.empty()) return crl.entries.size();
    const std::size_t mask = crl.hash_slots.size() - 1;
    for (std::size_t at = hash_entry(key) & mask;; at = (at + 1) & mask) {
        std::uint32_t slot = crl.hash_slots[at];
        if (slot == 0) return crl.entries.size();
        if (packed_equal(crl.entries[slot - 1], key)) return slot - 1;
    }
}

}  // namespace pkibridge::pkcs::certdetail
