// Base of every typed error the host raises. Each layer derives its own error type with a
// failure kind of its own; only the messaging boundary turns them into protocol codes.
#pragma once

#include <stdexcept>
#include <string>

namespace pkibridge::host {

class HostError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace pkibridge::host
