#include "messaging/frame_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/log.hpp"
#include "messaging/error_reply.hpp"

namespace pkibridge::host::messaging {

namespace {

std::string serialize(const nlohmann::json& message) {
    // Card data (certificate names) may hold invalid UTF-8: replace rather than throw.
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

bool FrameWriter::write(const nlohmann::json& message) {
    std::string body = serialize(message);
    if (body.size() > max_reply_) {
        if (!message.contains("id")) {
            log::warning("dropped an event of " + std::to_string(body.size()) +
                         " bytes (over the limit)");
            return true;
        }
        log::warning("reply of " + std::to_string(body.size()) +
                     " bytes replaced by ERR_TOO_LARGE");
        body = serialize(error_message(
            message["id"], ErrorReply{protocol::ErrorCode::TooLarge,
                                      "the reply would be " + std::to_string(body.size()) +
                                          " bytes, more than the browser accepts (" +
                                          std::to_string(max_reply_) + ")",
                                      {{"replyBytes", body.size()}, {"maxBytes", max_reply_}}}));
    }
    return write_frame(body);
}

bool FrameWriter::write_frame(const std::string& body) {
    std::lock_guard lock(mutex_);
    if (broken_) return false;
    const auto length = static_cast<std::uint32_t>(body.size());
    std::string frame(4 + body.size(), '\0');
    std::memcpy(frame.data(), &length, 4);  // native byte order
    std::memcpy(frame.data() + 4, body.data(), body.size());
    std::size_t done = 0;
    while (done < frame.size()) {
        const ssize_t n = ::write(fd_, frame.data() + done, frame.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            broken_ = true;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace pkibridge::host::messaging
