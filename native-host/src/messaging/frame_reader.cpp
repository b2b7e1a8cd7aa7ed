#include "messaging/frame_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace pkibridge::host::messaging {

FrameReader::FrameReader(int fd, std::size_t max_message, std::uint64_t discard_cap,
                         std::chrono::milliseconds frame_timeout)
    : fd_(fd), decoder_(max_message, discard_cap), frame_timeout_(frame_timeout) {}

std::optional<FrameEvent> FrameReader::next() {
    std::vector<FrameEvent> events;
    std::uint8_t buffer[64 * 1024];
    while (pending_.empty() && !ended_) {
        // Inside a frame, wait only frame_timeout for more bytes; between frames, forever.
        pollfd p{fd_, POLLIN, 0};
        const int timeout = decoder_.mid_frame() ? static_cast<int>(frame_timeout_.count()) : -1;
        const int ready = poll(&p, 1, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            ended_ = true;
        } else if (ready == 0) {
            if (auto e = decoder_.abandon_partial()) pending_.push_back(std::move(*e));
            continue;
        }
        if (ended_) break;
        const ssize_t n = read(fd_, buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            ended_ = true;
            if (auto e = decoder_.abandon_partial()) pending_.push_back(std::move(*e));
            break;
        }
        decoder_.feed({buffer, static_cast<std::size_t>(n)}, events);
        pkcs::secure_zero(buffer, static_cast<std::size_t>(n));  // frames may carry a PIN
        for (auto& e : events) pending_.push_back(std::move(e));
        events.clear();
        if (decoder_.failed()) ended_ = true;
    }
    if (pending_.empty()) return std::nullopt;
    FrameEvent e = std::move(pending_.front());
    pending_.pop_front();
    return e;
}

}  // namespace pkibridge::host::messaging
