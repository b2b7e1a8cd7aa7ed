// An owned SCARDCONTEXT: reader enumeration and status-change waits.
// Use one context per thread; cancel() is the one call that may come from another thread.
#pragma once

#include <winscard.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::pcsc {

// The special reader name whose state changes when readers are added or removed.
inline constexpr const char* kPnpNotification = "\\\\?PnP?\\Notification";

struct ReaderState {
    std::string reader;
    DWORD event_state = 0;  // SCARD_STATE_* flags
    pkcs::Bytes atr;        // empty when no card

    bool card_present() const { return (event_state & SCARD_STATE_PRESENT) != 0; }
    bool exclusive() const { return (event_state & SCARD_STATE_EXCLUSIVE) != 0; }
    bool mute() const { return (event_state & SCARD_STATE_MUTE) != 0; }
};

class PcscContext {
public:
    // Throws PcscError(ServiceUnavailable) when pcscd is not reachable.
    static PcscContext establish();

    PcscContext(PcscContext&& other) noexcept;
    PcscContext& operator=(PcscContext&& other) noexcept;
    PcscContext(const PcscContext&) = delete;
    PcscContext& operator=(const PcscContext&) = delete;
    ~PcscContext();

    SCARDCONTEXT handle() const noexcept { return context_; }
    bool valid() const noexcept;

    // Reader names in pcscd's order; empty when no reader is connected.
    std::vector<std::string> list_readers();

    // Current state of each reader (no waiting).
    std::vector<ReaderState> reader_states(const std::vector<std::string>& readers);

    // Waits until a state differs from the `known` one (or the timeout passes) and updates
    // `known` in place. Include kPnpNotification to hear about readers coming and going.
    // Returns false on timeout; throws PcscError (Cancelled after cancel()).
    bool wait_for_change(std::vector<ReaderState>& known,
                         std::optional<std::chrono::milliseconds> timeout);

    // Ends a wait_for_change running on another thread.
    void cancel() noexcept;

private:
    explicit PcscContext(SCARDCONTEXT context) : context_(context) {}
    SCARDCONTEXT context_ = 0;
    bool owned_ = false;
};

}  // namespace pkibridge::host::pcsc
