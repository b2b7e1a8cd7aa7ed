// Internal: reading CMS signed attributes and names of algorithm objects, shared by
// verification and the CMS description.
#pragma once

#include <openssl/cms.h>

#include <string>
#include <string_view>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"

namespace pkibridge::pkcs::cmsdetail {

std::string cms_oid_text(const ASN1_OBJECT* obj);     // dotted
std::string cms_object_name(const ASN1_OBJECT* obj);  // OpenSSL short name, else dotted
Bytes string_bytes(const ASN1_STRING* s);

// The one value of a signed attribute (by NID, or by dotted OID when nid is NID_undef),
// nullptr when absent; throws PkcsError(Malformed) when repeated or multi-valued.
const ASN1_TYPE* single_signed_value(CMS_SignerInfo* si, int nid, std::string_view oid,
                                     const char* what);
// Throws PkcsError(Malformed) when an attribute has the wrong type.
CmsSignedAttributes read_signed_attributes(CMS_SignerInfo* si);

// Attacker-chosen text made safe for nlohmann::json (which throws on invalid UTF-8):
// invalid sequences and control characters become U+FFFD.
std::string json_safe_utf8(std::string_view text);

}  // namespace pkibridge::pkcs::cmsdetail
