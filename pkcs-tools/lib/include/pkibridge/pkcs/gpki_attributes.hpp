// Taiwan GPKI attributes in the Subject Directory Attributes extension (2.5.29.9,
// SEQUENCE SIZE (1..MAX) OF Attribute), and issuer classification.
//
// Encodings written: id-last4 (.51) and business number (.101) as PrintableString,
// organisation OID (.102) as OBJECT IDENTIFIER. Reading also accepts UTF8String and
// IA5String for all three (and PrintableString for .102); other attributes are ignored.
#pragma once

#include <openssl/x509.h>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

// extension_value: the DER inside the extension's OCTET STRING. Throws PkcsError(Malformed).
GpkiAttributes decode_gpki_attributes(ByteView extension_value);
// DER of the SEQUENCE OF Attribute; throws InvalidArgument when attrs is empty.
Bytes encode_gpki_attributes(const GpkiAttributes& attrs);
// A non-critical subjectDirectoryAttributes extension holding attrs.
X509ExtensionPtr make_gpki_extension(const GpkiAttributes& attrs);

// Classification by issuer name (all OU, O and CN values, UTF-8):
//   MOICA  - contains "內政部憑證管理中心" or the word "MOICA"
//   MOEACA - contains "工商憑證管理中心" / "工商憑証管理中心" or the word "MOEACA"
//   XCA    - contains "組織及團體憑證管理中心" or the word "XCA"
//   GCA    - contains "政府憑證管理中心" or the word "GCA"
//   other  - anything else (including the roots GRCA / "政府憑證總管理中心")
CaKind classify_issuer(const X509_NAME* issuer);

}  // namespace pkibridge::pkcs
