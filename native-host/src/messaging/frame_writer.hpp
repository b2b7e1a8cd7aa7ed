// Writes frames to a file descriptor (stdout), one whole frame at a time from any thread.
// A message over the reply limit (1 MiB, the browser's) is replaced by an ERR_TOO_LARGE
// error for the same id (events over the limit are dropped).
#pragma once

#include <mutex>

#include <nlohmann/json.hpp>

namespace pkibridge::host::messaging {

inline constexpr std::size_t kMaxReplyBytes = 1024 * 1024;

class FrameWriter {
public:
    explicit FrameWriter(int fd, std::size_t max_reply = kMaxReplyBytes)
        : fd_(fd), max_reply_(max_reply) {}

    // False when the output is closed (the browser went away).
    bool write(const nlohmann::json& message);

private:
    bool write_frame(const std::string& body);

    std::mutex mutex_;
    int fd_;
    std::size_t max_reply_;
    bool broken_ = false;
};

}  // namespace pkibridge::host::messaging
