#include "services/chain_cache.hpp"

namespace pkibridge::server {

std::string ChainCache::make_key(std::string_view leaf_sha256, std::string_view profile,
                                 std::uint64_t crl_generation) {
    std::string key;
    key.reserve(leaf_sha256.size() + profile.size() + 24);
    key.append(leaf_sha256).append("|").append(profile).append("|");
    key.append(std::to_string(crl_generation));
    return key;
}

std::optional<pkcs::PathResult> ChainCache::find(const std::string& key, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) {
        ++misses_;
        return std::nullopt;
    }
    if (now >= it->second->valid_until) {
        lru_.erase(it->second);
        index_.erase(it);
        ++misses_;
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    ++hits_;
    return it->second->result;
}

void ChainCache::insert(const std::string& key, pkcs::PathResult result, std::int64_t valid_until) {
    if (max_entries_ == 0) return;
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
        lru_.erase(it->second);
        index_.erase(it);
    }
    lru_.push_front(Entry{key, std::move(result), valid_until});
    index_.emplace(key, lru_.begin());
    while (lru_.size() > max_entries_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
}

void ChainCache::clear() {
    std::lock_guard lock(mutex_);
    lru_.clear();
    index_.clear();
}

std::size_t ChainCache::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

std::uint64_t ChainCache::hits() const {
    std::lock_guard lock(mutex_);
    return hits_;
}

std::uint64_t ChainCache::misses() const {
    std::lock_guard lock(mutex_);
    return misses_;
}

}  // namespace pkibridge::server
