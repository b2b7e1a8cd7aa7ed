// Internal: CMS input decoding, and a parse that reuses already-parsed certificates.
//
// Why: OpenSSL 3.0 spends ~0.2 ms decoding the public key of every certificate it parses
// (provider decoder set-up), so d2i of a CMS with a signer and a chain certificate costs
// more than all its signature checks together. parse_cms_reusing first reads SignedData
// with a skeleton template that keeps each certificate as opaque DER, re-encodes it
// without certificates and CRLs (the signed parts stay byte for byte), parses that, and
// then attaches the certificates: known ones by reference, others parsed once.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "pkibridge/pkcs/cms_verify.hpp"

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs::cmsdetail {

// PEM, DER or base64 to DER (no ASN.1 parse yet); throws PkcsError(Malformed).
Bytes cms_input_der(ByteView data);
// Full OpenSSL parse of a DER CMS SignedData; throws PkcsError(Malformed).
CmsPtr parse_cms_der(ByteView der);
// Same result as parse_cms_der for verification purposes (embedded CRLs are dropped),
// reusing `known` certificates that the CMS embeds byte for byte.
CmsPtr parse_cms_reusing(ByteView der, const std::vector<const Certificate*>& known);

// verify_cms_signature(_digest) with already-parsed certificates (see cms_verify.cpp).
CmsSignatureResult verify_cms_signature_known(
    ByteView cms, std::optional<ByteView> detached,
    std::optional<std::pair<ByteView, HashAlgorithm>> digest,
    const std::vector<const Certificate*>& known);

}  // namespace pkibridge::pkcs::cmsdetail
