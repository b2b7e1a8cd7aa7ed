#include "pkibridge/vcard/reference_data.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/vcard/errors.hpp"

namespace pkibridge::vcard {

namespace {

// Enough to make a stolen card directory slow to brute-force for 8-digit PINs, cheap
// enough for a VERIFY (a few milliseconds).
constexpr int kIterations = 10000;
constexpr std::size_t kHashSize = 32;
constexpr std::size_t kMinLength = 6;

Bytes hash_block(ByteView salt, ByteView block) {
    Bytes out(kHashSize);
    if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(block.data()),
                          static_cast<int>(block.size()), salt.data(),
                          static_cast<int>(salt.size()), kIterations, EVP_sha256(),
                          static_cast<int>(out.size()), out.data()) != 1) {
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "PBKDF2 failed");
    }
    return out;
}

}  // namespace

Bytes pad_reference(std::string_view value, bool digits_only) {
    Bytes block(kReferenceBlockSize, 0xFF);
    if (value.size() < kMinLength || value.size() > kReferenceBlockSize) {
        throw VcardError(VcardErrorCode::InvalidArgument,
                         "a PIN or PUK must be 6 to 8 characters long");
    }
    for (std::size_t i = 0; i < value.size(); ++i) block[i] = static_cast<std::uint8_t>(value[i]);
    if (!valid_reference_block(block, digits_only)) {
        pkcs::secure_zero(block.data(), block.size());
        throw VcardError(VcardErrorCode::InvalidArgument,
                         digits_only ? "a PIN must consist of digits only"
                                     : "a PUK must not contain the byte FF");
    }
    return block;
}

bool valid_reference_block(ByteView block, bool digits_only) noexcept {
    if (block.size() != kReferenceBlockSize) return false;
    std::size_t len = 0;
    while (len < block.size() && block[len] != 0xFF) ++len;
    if (len < kMinLength) return false;
    for (std::size_t i = len; i < block.size(); ++i)
        if (block[i] != 0xFF) return false;
    if (digits_only) {
        for (std::size_t i = 0; i < len; ++i)
            if (block[i] < '0' || block[i] > '9') return false;
    }
    return true;
}

ReferenceData make_reference(ByteView block, int max_tries) {
    ReferenceData ref;
    ref.salt.resize(16);
    if (RAND_bytes(ref.salt.data(), static_cast<int>(ref.salt.size())) != 1)
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "RAND_bytes failed");
    ref.hash = hash_block(ref.salt, block);
    ref.max_tries = max_tries;
    ref.tries_left = max_tries;
    return ref;
}

bool reference_matches(const ReferenceData& ref, ByteView block) {
    if (ref.hash.size() != kHashSize) return false;
    Bytes h = hash_block(ref.salt, block);
    return CRYPTO_memcmp(h.data(), ref.hash.data(), kHashSize) == 0;
}

}  // namespace pkibridge::vcard
