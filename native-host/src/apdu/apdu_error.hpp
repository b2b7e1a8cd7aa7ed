// Errors of the APDU layer: the card (or the reader) sent bytes that do not parse.
#pragma once

#include "core/host_error.hpp"

namespace pkibridge::host::apdu {

// A response APDU or a BER-TLV structure from the card is malformed or exceeds a limit.
class MalformedResponse : public HostError {
public:
    using HostError::HostError;
};

}  // namespace pkibridge::host::apdu
