#include "pem_der.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs::detail {

bool looks_like_pem(ByteView data) {
    // DER objects start with a SEQUENCE tag; their content (e.g. signed text) may itself
    // contain PEM armour, which must not make the whole input look like PEM.
    if (!data.empty() && data[0] == 0x30) return false;
    static constexpr std::string_view kBegin = "-----BEGIN ";
    return std::search(data.begin(), data.end(), kBegin.begin(), kBegin.end()) != data.end();
}

std::vector<PemBlock> read_pem_blocks(ByteView data, std::string_view what) {
    std::vector<PemBlock> blocks;
    BioPtr bio = memory_bio(data.data(), data.size());
    for (;;) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* der = nullptr;
        long len = 0;
        ERR_clear_error();
        if (PEM_read_bio(bio.get(), &name, &header, &der, &len) != 1) {
            unsigned long err = ERR_peek_last_error();
            bool at_end = ERR_GET_LIB(err) == ERR_LIB_PEM &&
                          ERR_GET_REASON(err) == PEM_R_NO_START_LINE && !blocks.empty();
            std::string detail = drain_openssl_errors();
            if (at_end) break;
            throw PkcsError(ErrorCode::Malformed, std::string(what) + ": invalid or truncated PEM" +
                                                      (detail.empty() ? "" : " (" + detail + ")"));
        }
        PemBlock block;
        block.label = name;
        block.der.assign(der, der + len);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        blocks.push_back(std::move(block));
    }
    return blocks;
}

Bytes der_or_base64(ByteView data, std::string_view what) {
    if (data.empty()) throw PkcsError(ErrorCode::Malformed, std::string(what) + ": empty input");
    if (data[0] == 0x30) return Bytes(data.begin(), data.end());
    Bytes der;
    try {
        der = base64_decode(to_string(data));
    } catch (const PkcsError&) {
        throw PkcsError(ErrorCode::Malformed,
                        std::string(what) + ": input is neither PEM, DER nor base64 of DER");
    }
    if (der.empty() || der[0] != 0x30)
        throw PkcsError(ErrorCode::Malformed,
                        std::string(what) + ": base64 input does not decode to DER");
    return der;
}

std::string pem_encode(std::string_view label, ByteView der) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throw_openssl(ErrorCode::Crypto, "BIO_new failed");
    std::string name(label);
    if (PEM_write_bio(bio.get(), name.c_str(), "", der.data(), static_cast<long>(der.size())) <= 0)
        throw_openssl(ErrorCode::Crypto, "PEM encoding failed");
    return bio_contents(bio.get());
}

}  // namespace pkibridge::pkcs::detail
