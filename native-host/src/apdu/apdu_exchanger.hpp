// Sends logical commands over an ApduChannel: chains long command data, collects long
// responses with GET RESPONSE (61xx) and repeats a command with the Le the card asks for
// (6Cxx). Bounded, so a misbehaving card cannot make it loop or allocate without end.
#pragma once

#include "apdu/apdu_channel.hpp"
#include "apdu/command_apdu.hpp"
#include "apdu/response_apdu.hpp"

namespace pkibridge::host::apdu {

struct ExchangeLimits {
    std::size_t max_response_bytes = 64 * 1024;  // certificates are a few KiB
    int max_get_response = 300;
};

class ApduExchanger {
public:
    explicit ApduExchanger(ApduChannel& channel, ExchangeLimits limits = {})
        : channel_(channel), limits_(limits) {}

    // Returns the final response; SW 61xx and 6Cxx are resolved here, every other SW is
    // returned to the caller. An error SW on a chained part ends the chain with that SW.
    ResponseApdu exchange(const CommandApdu& command);

private:
    ResponseApdu send_one(const CommandApdu& command);

    ApduChannel& channel_;
    ExchangeLimits limits_;
};

}  // namespace pkibridge::host::apdu
