// Time conversions shared by certificates, CRLs, JSON output and the server.
#pragma once

#include <openssl/asn1.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace pkibridge::pkcs {

// "2025-01-31T12:00:00Z" (RFC 3339, UTC, whole seconds).
std::string format_rfc3339(std::int64_t unix_time);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" (also with a fractional part or a +hh:mm offset);
// throws PkcsError(InvalidArgument).
std::int64_t parse_rfc3339(std::string_view text);
// UTCTime or GeneralizedTime to Unix seconds; throws PkcsError(Malformed) on invalid time.
std::int64_t asn1_time_to_unix(const ASN1_TIME* time);
// UTCTime for 1950..2049, GeneralizedTime otherwise (as RFC 5280 requires).
ASN1_TIME* unix_to_asn1_time(std::int64_t unix_time);  // caller frees (Asn1TimePtr)
std::int64_t now_unix();

}  // namespace pkibridge::pkcs
