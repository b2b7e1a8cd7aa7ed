// JSON descriptions of a certificate on a card: the full entry of list-certificates and
// the short summary shown in pin-required events.
#pragma once

#include <nlohmann/json.hpp>

#include "card/token.hpp"

namespace pkibridge::host::commands {

// certificate_to_json(...) plus certificateId, reader, cardType, slot, slotLabel,
// authenticationKey and the DER certificate in base64 ("certificate").
nlohmann::json certificate_entry(const card::Token& token, const card::TokenKey& key,
                                 const std::string& certificate_id);

// certificateId, slot, subject, subjectCommonName, issuer, serial, notAfter, caKind.
nlohmann::json certificate_summary(const card::TokenKey& key, const std::string& certificate_id);

}  // namespace pkibridge::host::commands
