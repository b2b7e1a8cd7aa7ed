// The password rules of the seed documents and the initial password rule (see
// docs/portal-api.md, POST /api/v1/portal/password). Pure functions, no storage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pkibridge::server {

// The initial password rule of the seed documents: "MmDd" + birth MMDD + the ID's last
// four characters. birth_date is YYYY-MM-DD; throws ServiceError(BadRequest,
// "birth-date-required") when it is missing or malformed.
std::string initial_password_for(std::string_view national_id, std::string_view birth_date);

// Why a new password is refused (docs/portal-api.md, POST /api/v1/portal/password).
// Empty code: acceptable so far (reuse is checked against the stored hashes separately).
struct PasswordPolicyResult {
    std::string code;  // "password-too-short", "password-needs-letter", ...
    std::string message;
    std::string message_zh;
    bool ok() const { return code.empty(); }
};
PasswordPolicyResult check_password_policy(std::string_view password, std::string_view national_id,
                                           std::size_t min_length);

}  // namespace pkibridge::server
