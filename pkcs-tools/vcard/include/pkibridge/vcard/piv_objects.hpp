// Builders and readers for the PIV data objects the card serves (SP 800-73-4 part 1
// section 3 and appendix A). Builders return the value that GET DATA wraps in tag 53
// (or, for the discovery object, the value of tag 7E).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::vcard {

using pkcs::Bytes;
using pkcs::ByteView;

// SELECT response: the Application Property Template (tag 61).
Bytes application_property_template();

// FASC-N (SP 800-73-4 part 1 / TIG SCEPACS): 40 five-bit BCD characters with odd parity,
// 25 bytes. Field widths: agency 4, system 4, credential 6, CS 1, ICI 1, PI 10, OC 1,
// OI 4, POA 1 digits.
struct Fascn {
    std::string agency_code = "9999";  // 9999: test / non-federal
    std::string system_code = "9999";
    std::string credential_number = "000000";
    std::string credential_series = "0";
    std::string individual_credential_issue = "1";
    std::string person_identifier = "0000000000";
    std::string organizational_category = "3";  // 3: commercial enterprise
    std::string organizational_identifier = "0000";
    std::string person_association = "1";
};
Bytes encode_fascn(const Fascn& fascn);  // throws VcardError(InvalidArgument) on bad digits

// CHUID: FASC-N (30), GUID (34, 16 bytes), expiration date YYYYMMDD (35), empty issuer
// signature (3E), LRC (FE).
Bytes make_chuid(ByteView fascn, ByteView guid, std::string_view expiry_yyyymmdd);
std::optional<Bytes> chuid_guid(ByteView chuid);  // tag 34 of a CHUID value

// CCC with a card identifier of A0 00 00 01 16 FF 02 followed by 14 random bytes.
Bytes make_ccc(ByteView random14);
// Discovery object value: PIV AID (4F) and PIN usage policy 40 00 (PIV PIN only).
Bytes make_discovery();
// Key history: no retired keys on or off card.
Bytes make_key_history();
// Printed information (PIN protected): name, affiliation, expiry (YYYYMMMDD, e.g.
// 2035JAN01), agency card serial number (<= 10 chars), issuer identification.
struct PrintedInformation {
    std::string name;
    std::string affiliation;
    std::string expiry;
    std::string card_serial;
    std::string issuer;
};
Bytes make_printed_information(const PrintedInformation& info);

// Certificate object: certificate (70), CertInfo (71) = 00 uncompressed, LRC (FE).
Bytes make_certificate_object(ByteView certificate_der);
struct StoredCertificate {
    Bytes data;               // DER, or gzip when compressed
    bool compressed = false;  // CertInfo bit 0 (a client stored it gzip-compressed)
};
std::optional<StoredCertificate> certificate_from_object(ByteView object_value);

}  // namespace pkibridge::vcard
