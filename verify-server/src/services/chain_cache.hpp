// Validated certification paths, remembered so that a returning user's login costs one
// CMS signature check instead of a full path validation. Keyed by leaf fingerprint,
// validation profile and CRL snapshot generation (a new CRL invalidates everything); each
// entry also carries the time it stops being valid (earliest notAfter in the chain, or
// earliest nextUpdate + grace of the CRLs relied on). Bounded, least recently used out.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "pkibridge/pkcs/path_validation.hpp"

namespace pkibridge::server {

class ChainCache {
public:
    explicit ChainCache(std::size_t max_entries) : max_entries_(max_entries) {}

    std::optional<pkcs::PathResult> find(const std::string& key, std::int64_t now);
    void insert(const std::string& key, pkcs::PathResult result, std::int64_t valid_until);
    void clear();

    std::size_t size() const;
    std::uint64_t hits() const;
    std::uint64_t misses() const;

    static std::string make_key(std::string_view leaf_sha256, std::string_view profile,
                                std::uint64_t crl_generation);

private:
    struct Entry {
        std::string key;
        pkcs::PathResult result;
        std::int64_t valid_until;
    };
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::list<Entry> lru_;  // front: most recent
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
};

}  // namespace pkibridge::server
