#include "core/random.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <vector>

#include "pkibridge/pkcs/algorithms.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::server {

std::string random_token(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "RAND_bytes");
    }
    return pkcs::base64url_encode(pkcs::ByteView(buf.data(), buf.size()));
}

std::string sha256_hex(std::string_view text) {
    // Fetched once: an implicit fetch (EVP_sha256()) takes OpenSSL's global locks per call.
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned char md[32];
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), md, &len, sha256 ? sha256 : EVP_sha256(), nullptr) !=
        1) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "SHA-256");
    }
    return pkcs::hex_encode(pkcs::ByteView(md, len));
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace pkibridge::server
