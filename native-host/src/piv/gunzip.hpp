// Decompression of gzip-compressed PIV certificates (CertInfo bit 0), bounded in size.
#pragma once

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::piv {

// Inflates gzip or zlib data; throws apdu::MalformedResponse on corrupt input or when the
// output would exceed max_output bytes.
pkcs::Bytes gunzip(pkcs::ByteView compressed, std::size_t max_output);

}  // namespace pkibridge::host::piv
