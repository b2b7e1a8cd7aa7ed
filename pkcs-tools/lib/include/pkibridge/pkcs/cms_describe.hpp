// A JSON description of a CMS/PKCS#7 structure without any trust decision (for
// `pkcs-tool inspect`): content type, detached or not, content size, digest algorithms,
// each SignerInfo (signer id, algorithms, signed attributes) and the embedded
// certificates (certificate_to_json).
#pragma once

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs {

// Accepts DER, PEM or base64. Throws PkcsError(Malformed) when the input is not CMS.
nlohmann::json describe_cms(ByteView der_or_pem);

}  // namespace pkibridge::pkcs
