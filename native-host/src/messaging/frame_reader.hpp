// Reads frames from a file descriptor (stdin). A frame that stops arriving for longer than
// the frame timeout is dropped (Truncated) so that the next frame can be read: this is how
// a short header or a length larger than the data is recovered from.
#pragma once

#include <chrono>
#include <deque>
#include <optional>

#include "messaging/frame_decoder.hpp"

namespace pkibridge::host::messaging {

class FrameReader {
public:
    FrameReader(int fd, std::size_t max_message, std::uint64_t discard_cap,
                std::chrono::milliseconds frame_timeout);

    // The next event; nullopt once the input has ended (a partial frame at the end is
    // returned as Truncated first) or after a Fatal event.
    std::optional<FrameEvent> next();

private:
    int fd_;
    FrameDecoder decoder_;
    std::chrono::milliseconds frame_timeout_;
    std::deque<FrameEvent> pending_;
    bool ended_ = false;
};

}  // namespace pkibridge::host::messaging
