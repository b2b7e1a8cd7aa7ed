// One JSON description of a certificate, used by pkcs-tool, the host and the server alike.
#pragma once

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/crl.hpp"

namespace pkibridge::pkcs {

// Keys (camelCase): subject, issuer, subjectCommonName, subjectSerialNumber (if present),
// serial (uppercase hex), notBefore, notAfter (RFC 3339 UTC), notBeforeUnix, notAfterUnix,
// keyUsage[], extendedKeyUsage[], policies[], keyType, keyBits, curve (EC only), sha256,
// caKind ("MOICA"/"MOEACA"/"XCA"/"GCA"/"other"),
// gpki {idLast4, businessNumber, organisationOid} (absent members omitted; gpki omitted
// when empty), crlDistributionPoints[], isCa.
nlohmann::json certificate_to_json(const Certificate& cert);

// Keys: issuer, thisUpdate, thisUpdateUnix, nextUpdate/nextUpdateUnix (if present),
// number (decimal, if present), deltaBase (if delta), issuingDistributionPoint {...}
// (if present), signatureAlgorithm, entries (count), and the first `max_entries`
// revoked entries as revoked[] {serial, revokedAt, revokedAtUnix, reason,
// certificateIssuer?}.
nlohmann::json crl_to_json(const Crl& crl, std::size_t max_entries = 10);
nlohmann::json revocation_entry_to_json(const RevocationEntry& entry);

}  // namespace pkibridge::pkcs
