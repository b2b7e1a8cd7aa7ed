// Parsed certificates by the SHA-256 of their DER. With OpenSSL 3.0, decoding a certificate
// (its public key goes through the provider decoders) costs more than checking an RSA
// signature; a returning user's certificate is decoded once and then reused, both as the
// token's certificate and inside the CMS (verify_cms_signature's known certificates).
#pragma once

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "pkibridge/pkcs/certificate.hpp"

namespace pkibridge::server {

class CertificateCache {
public:
    explicit CertificateCache(std::size_t max_entries) : max_entries_(max_entries) {}

    // The parsed certificate for this DER (fingerprint = lowercase hex SHA-256 of der), or
    // nullopt when der is not a certificate. Strict DER only.
    std::optional<pkcs::Certificate> get(pkcs::ByteView der, const std::string& fingerprint);
    std::size_t size() const;

private:
    struct Entry {
        std::string fingerprint;
        pkcs::Certificate certificate;
    };
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::list<Entry> lru_;
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace pkibridge::server
