// The OASIS PKCS#11 API as p11-kit ships it (pkg-config p11-kit-1, <p11-kit/pkcs11.h>): one
// vendor-neutral header for every module we dlopen (HiCOS, OpenSC, SoftHSM2). With its default
// CRYPTOKI_COMPAT the types and members have the OASIS names (CK_TOKEN_INFO::serialNumber, ...).
#pragma once

#include <p11-kit/pkcs11.h>

#include <cstddef>
#include <string>

namespace pkibridge::host::pkcs11 {

// A blank-padded fixed-width PKCS#11 text field (labels, serials) without its padding.
inline std::string padded_text(const unsigned char* field, std::size_t width) {
    std::string text(reinterpret_cast<const char*>(field), width);
    const auto end = text.find_last_not_of(std::string(" \0", 2));
    return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

template <std::size_t N>
std::string padded_text(const unsigned char (&field)[N]) {
    return padded_text(field, N);
}

}  // namespace pkibridge::host::pkcs11
