#include "pkibridge/pkcs/ossl.hpp"

#include <openssl/err.h>

namespace pkibridge::pkcs {

std::string drain_openssl_errors() {
    std::string out;
    unsigned long err;
    while ((err = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(err, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

void throw_openssl(ErrorCode code, std::string_view what) {
    std::string message(what);
    std::string detail = drain_openssl_errors();
    if (!detail.empty()) message += ": " + detail;
    throw PkcsError(code, message);
}

BioPtr memory_bio(const void* data, std::size_t size) {
    if (size > static_cast<std::size_t>(INT32_MAX))
        throw PkcsError(ErrorCode::InvalidArgument, "input larger than 2 GiB");
    BioPtr bio(BIO_new_mem_buf(data, static_cast<int>(size)));
    if (!bio) throw_openssl(ErrorCode::Crypto, "BIO_new_mem_buf failed");
    return bio;
}

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || data == nullptr) return {};
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace pkibridge::pkcs
