#include "services/certificate_cache.hpp"

#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::server {

std::optional<pkcs::Certificate> CertificateCache::get(pkcs::ByteView der,
                                                       const std::string& fingerprint) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = index_.find(fingerprint); it != index_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second);
            return it->second->certificate;
        }
    }
    std::optional<pkcs::Certificate> cert;
    try {
        cert = pkcs::Certificate::from_der(der);
    } catch (const pkcs::PkcsError&) {
        return std::nullopt;
    }
    if (max_entries_ == 0) return cert;
    std::lock_guard lock(mutex_);
    if (index_.count(fingerprint)) return cert;  // another thread was faster
    lru_.push_front(Entry{fingerprint, *cert});
    index_.emplace(fingerprint, lru_.begin());
    while (lru_.size() > max_entries_) {
        index_.erase(lru_.back().fingerprint);
        lru_.pop_back();
    }
    return cert;
}

std::size_t CertificateCache::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

}  // namespace pkibridge::server
