// JSON presentation of store records, shared by the API, the portal and the command line
// (`account ... --json`): each caller adds its own extra members to these.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "store/account_store.hpp"

namespace pkibridge::server {

nlohmann::json optional_json(const std::optional<std::string>& value);
// An RFC 3339 time, or null.
nlohmann::json optional_time_json(std::optional<std::int64_t> unix_seconds);

// The profile members: id, nationalId, name, birthDate, agency, unit, agencyOid,
// jurisdictionOid, email, phone, roles, status.
nlohmann::json account_json(const Account& account);
// sha256, issuer, serial, subject, notAfter, registeredAt.
nlohmann::json certificate_json(const RegisteredCertificate& certificate);
nlohmann::json login_json(const LoginEvent& event);

}  // namespace pkibridge::server
