// A refused field value: a ServiceError that also names the field (the HTTP layer adds
// "field" to the error body so the page can point at the input).
#pragma once

#include <string>

#include "core/errors.hpp"

namespace pkibridge::server {

class FieldError : public ServiceError {
public:
    FieldError(ErrorKind kind, std::string code, std::string field, const std::string& message)
        : ServiceError(kind, std::move(code), message), field_(std::move(field)) {}
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

}  // namespace pkibridge::server
