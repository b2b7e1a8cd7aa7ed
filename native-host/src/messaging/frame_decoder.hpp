// Chrome native messaging framing: a 4-byte length in native byte order, then that many
// bytes of UTF-8 JSON. A pure, incremental decoder (fed any chunks; fuzzed).
//
// A declared length over the limit is reported at once (TooLarge) and its body is then
// skipped as it arrives, without being stored, up to the hard cap (Chrome's own 64 MiB
// limit); a longer declared length cannot come from a browser, so it is Fatal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::messaging {

struct FrameEvent {
    enum class Kind {
        Frame,      // a complete message in `body`
        TooLarge,   // `declared` exceeds the limit; its body is being skipped
        Truncated,  // the input paused or ended inside a frame; the partial frame is dropped
        Fatal,      // `declared` exceeds the hard cap; the stream cannot be trusted
    } kind;
    std::string body;
    std::uint64_t declared = 0;
    std::uint64_t received = 0;  // Truncated: bytes of the frame that had arrived
};

class FrameDecoder {
public:
    FrameDecoder(std::size_t max_message, std::uint64_t discard_cap)
        : max_message_(max_message), discard_cap_(discard_cap) {}
    ~FrameDecoder();  // wipes buffered bytes (a frame may hold a PIN)

    // Consumes all of `input`, appending the events it completes. After Fatal, further
    // input is ignored.
    void feed(pkcs::ByteView input, std::vector<FrameEvent>& events);

    // True while a frame is partly read (header or body) or a body is being skipped.
    bool mid_frame() const { return state_ != State::Header || !header_.empty(); }

    // The input paused too long or ended: drops the partial frame and returns Truncated
    // (nullopt when there was none, or when only a skipped body was unfinished).
    std::optional<FrameEvent> abandon_partial();

    bool failed() const { return state_ == State::Failed; }

private:
    enum class State { Header, Body, Discard, Failed };
    void wipe_body();

    std::size_t max_message_;
    std::uint64_t discard_cap_;
    State state_ = State::Header;
    std::string header_;
    std::string body_;
    std::uint64_t expected_ = 0;  // body bytes still to come (Body / Discard)
    std::uint64_t declared_ = 0;
};

}  // namespace pkibridge::host::messaging
