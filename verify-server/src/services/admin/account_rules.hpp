// Validation of the fields an administrator enters for an account (docs/portal.md):
// Taiwanese national ID with its checksum, calendar dates, e-mail addresses, OIDs, and
// the OID arc order the registration administrators' scope is built on.
#pragma once

#include <string_view>

namespace pkibridge::server {

// One letter A-Z, then 1/2 (citizens) or 8/9 (residents' uniform IDs since 2021), then 8
// digits; the weighted checksum (letter as two digits, weights 1,9,8..1,1) is 0 mod 10.
bool valid_national_id(std::string_view id) noexcept;
// YYYY-MM-DD, a real Gregorian date from 1900-01-01 on.
bool valid_calendar_date(std::string_view ymd) noexcept;
// A pragmatic check: one '@', non-empty local part, a dotted domain, no spaces or control
// characters, at most 254 octets. Deliverability is the SMTP server's business.
bool valid_email(std::string_view email) noexcept;
// Dotted decimal, at least two arcs, first arc 0-2, no leading zeros, at most 200 chars.
bool valid_oid(std::string_view oid) noexcept;
// Whether `oid` equals `root` or lies below it, arc by arc: 2.16.886.101.20003 covers
// 2.16.886.101.20003.1 but not 2.16.886.101.200031. False when either is not a valid OID.
bool oid_at_or_under(std::string_view oid, std::string_view root) noexcept;

}  // namespace pkibridge::server
