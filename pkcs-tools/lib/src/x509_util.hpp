// Internal helpers shared by the certificate, CRL and test CA code.
#pragma once

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <string_view>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::pkcs::certdetail {

// RFC 2253 order with UTF-8 kept intact (no \UXXXX escapes for non-ASCII).
std::string name_to_string(const X509_NAME* name);
Bytes name_der(const X509_NAME* name);
// First entry of nid as UTF-8, "" when absent.
std::string name_entry_text(const X509_NAME* name, int nid);
// Short name when OpenSSL knows the OID, else dotted text.
std::string object_name(const ASN1_OBJECT* obj);
std::string object_oid(const ASN1_OBJECT* obj);
// Big-endian magnitude without leading zeros.
Bytes integer_magnitude(const ASN1_INTEGER* value);
std::string serial_to_hex(ByteView magnitude);
std::string ec_curve_name(EVP_PKEY* key);  // "P-256", or the group name, "" for non-EC
// URI general names; throws PkcsError(Malformed) for a URI that is not printable ASCII
// (IA5String content is not checked by the decoder, and JSON output needs valid text).
std::vector<std::string> general_name_uris(const GENERAL_NAMES* names);
bool is_valid_utf8(std::string_view text);
bool is_printable_ascii(std::string_view text);
// X509_get_ext_d2i with errors: nullptr when absent, PkcsError(Malformed) when the
// extension is present twice or does not decode. `critical` receives its flag.
void* certificate_extension(const X509* cert, int nid, const char* what, bool* critical = nullptr);

}  // namespace pkibridge::pkcs::certdetail
