// Typed errors of the account store, independent of the database engine.
#pragma once

#include <stdexcept>
#include <string>

namespace pkibridge::server {

class StoreError : public std::runtime_error {
public:
    enum class Kind {
        Conflict,      // a unique value already exists (national ID, certificate)
        NotFound,      // the referenced row does not exist
        Busy,          // the database stayed locked past the busy timeout
        SchemaTooNew,  // the file was migrated by a newer server version
        Corrupt,       // the file is not a usable database
        Failed,        // any other engine error
    };
    StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

}  // namespace pkibridge::server
