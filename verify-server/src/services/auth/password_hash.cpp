#include "services/auth/password_hash.hpp"

#include <sodium.h>

#include "core/errors.hpp"

namespace pkibridge::server {

namespace {

void ensure_sodium() {
    static const int ready = sodium_init();  // thread-safe, idempotent
    if (ready < 0) throw ServiceError(ErrorKind::Internal, "internal-error", "libsodium unusable");
}

}  // namespace

std::string hash_password(std::string_view secret) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        throw ServiceError(ErrorKind::Internal, "internal-error",
                           "cannot hash the password (out of memory)");
    }
    return std::string(out);
}

bool verify_password_hash(const std::string& hash, std::string_view secret) {
    ensure_sodium();
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
}

}  // namespace pkibridge::server
