// A ServiceError that also carries its Traditional Chinese message and extra members of
// the error object (attemptsLeft, lockedUntil, retryAfterSeconds, ...). The portal's auth
// routes write both; elsewhere it degrades to a plain ServiceError.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/config.hpp"
#include "core/errors.hpp"

namespace pkibridge::server {

class AuthError : public ServiceError {
public:
    AuthError(ErrorKind kind, std::string code, const std::string& message, std::string message_zh,
              nlohmann::json extra = nlohmann::json::object())
        : ServiceError(kind, std::move(code), message),
          message_zh_(std::move(message_zh)),
          extra_(std::move(extra)) {}
    const std::string& message_zh() const noexcept { return message_zh_; }
    const nlohmann::json& extra() const noexcept { return extra_; }

private:
    std::string message_zh_;
    nlohmann::json extra_;
};

// The answers shared by real and unknown accounts (they must not differ).
AuthError account_locked_error(std::int64_t locked_until, const PortalConfig& config);
AuthError credentials_invalid_error(int attempts_left);

}  // namespace pkibridge::server
