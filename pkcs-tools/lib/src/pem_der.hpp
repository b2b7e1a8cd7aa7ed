// Internal: recognising PEM, DER and base64-of-DER input for certificates and CRLs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs::detail {

struct PemBlock {
    std::string label;  // e.g. "CERTIFICATE", "X509 CRL"
    Bytes der;
};

bool looks_like_pem(ByteView data);
// Every PEM block in data; throws PkcsError(Malformed) naming `what` on broken PEM.
std::vector<PemBlock> read_pem_blocks(ByteView data, std::string_view what);
// data as DER (first byte 0x30) or base64 text of DER; throws PkcsError(Malformed).
Bytes der_or_base64(ByteView data, std::string_view what);
std::string pem_encode(std::string_view label, ByteView der);

}  // namespace pkibridge::pkcs::detail
