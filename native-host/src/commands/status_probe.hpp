// What `status` knows about readers beyond PC/SC's own state: the card type (found by
// selecting the PIV application) and PIN-pad capability, remembered per reader and ATR so
// that status stays fast and need not touch a card that is in use.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "pcsc/pcsc_context.hpp"

namespace pkibridge::host::commands {

class StatusProbe {
public:
    struct ReaderInfo {
        std::optional<std::string> card_type;  // "PIV", "unknown"; nullopt: not probed
        std::optional<bool> pin_pad;
    };

    // May send one SELECT (without a transaction, so it never waits for another
    // application) when `may_probe` and the card is not known yet.
    ReaderInfo describe(pcsc::PcscContext& context, const pcsc::ReaderState& state, bool may_probe);

private:
    std::mutex mutex_;
    std::map<std::string, std::string> card_types_;  // reader + ATR hex -> type
    std::map<std::string, bool> pin_pads_;           // reader -> PIN pad
};

}  // namespace pkibridge::host::commands
