// Internal: DER of a SignerInfo's signed attributes as the SET OF that is hashed and signed
// (RFC 5652 5.4: EXPLICIT SET OF tag, DER order).
#pragma once

#include <openssl/cms.h>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs::cmsdetail {

Bytes signed_attributes_der(CMS_SignerInfo* si);

}  // namespace pkibridge::pkcs::cmsdetail
