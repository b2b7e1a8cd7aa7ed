// Typed errors of the virtual card. StatusError travels inside the APDU processor and
// becomes a status word at its boundary; VcardError is for everything around the card
// (card directory, provisioning, the vpcd link) and becomes an exit code in pkcs-tool.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace pkibridge::vcard {

// A command was refused with an ISO 7816-4 status word (e.g. 0x6A80).
class StatusError : public std::runtime_error {
public:
    explicit StatusError(std::uint16_t sw, const std::string& why = "")
        : std::runtime_error(why.empty() ? "status word" : why), sw_(sw) {}
    std::uint16_t sw() const noexcept { return sw_; }

private:
    std::uint16_t sw_;
};

enum class VcardErrorCode {
    InvalidArgument,  // a bad option or input file (exit code 2)
    CardDirectory,    // the card directory is missing, unreadable or inconsistent (2)
    Io,               // a file or socket operation failed (3)
};

class VcardError : public std::runtime_error {
public:
    VcardError(VcardErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    VcardErrorCode code() const noexcept { return code_; }

private:
    VcardErrorCode code_;
};

}  // namespace pkibridge::vcard
