#include "messaging/frame_decoder.hpp"

#include <cstring>

namespace pkibridge::host::messaging {

FrameDecoder::~FrameDecoder() {
    wipe_body();
}

void FrameDecoder::wipe_body() {
    pkcs::secure_zero(body_.data(), body_.size());
    body_.clear();
}

void FrameDecoder::feed(pkcs::ByteView input, std::vector<FrameEvent>& events) {
    std::size_t pos = 0;
    while (pos < input.size() && state_ != State::Failed) {
        switch (state_) {
            case State::Header: {
                const std::size_t take =
                    std::min<std::size_t>(4 - header_.size(), input.size() - pos);
                header_.append(reinterpret_cast<const char*>(input.data() + pos), take);
                pos += take;
                if (header_.size() < 4) break;
                std::uint32_t length = 0;
                std::memcpy(&length, header_.data(), 4);  // native byte order, as Chrome writes
                header_.clear();
                declared_ = length;
                if (length > discard_cap_) {
                    state_ = State::Failed;
                    events.push_back({FrameEvent::Kind::Fatal, {}, length, 0});
                } else if (length > max_message_) {
                    events.push_back({FrameEvent::Kind::TooLarge, {}, length, 0});
                    expected_ = length;
                    state_ = State::Discard;
                } else if (length == 0) {
                    events.push_back({FrameEvent::Kind::Frame, {}, 0, 0});
                } else {
                    expected_ = length;
                    body_.reserve(length);
                    state_ = State::Body;
                }
                break;
            }
            case State::Body: {
                const std::size_t take = static_cast<std::size_t>(
                    std::min<std::uint64_t>(expected_, input.size() - pos));
                body_.append(reinterpret_cast<const char*>(input.data() + pos), take);
                pos += take;
                expected_ -= take;
                if (expected_ == 0) {
                    events.push_back(
                        {FrameEvent::Kind::Frame, std::move(body_), declared_, declared_});
                    body_ = std::string();
                    state_ = State::Header;
                }
                break;
            }
            case State::Discard: {
                const std::size_t take = static_cast<std::size_t>(
                    std::min<std::uint64_t>(expected_, input.size() - pos));
                pos += take;
                expected_ -= take;
                if (expected_ == 0) state_ = State::Header;
                break;
            }
            case State::Failed:
                break;
        }
    }
}

std::optional<FrameEvent> FrameDecoder::abandon_partial() {
    std::optional<FrameEvent> event;
    if (state_ == State::Header && !header_.empty()) {
        event = FrameEvent{FrameEvent::Kind::Truncated, {}, 0, header_.size()};
    } else if (state_ == State::Body) {
        event = FrameEvent{FrameEvent::Kind::Truncated, {}, declared_, declared_ - expected_};
    }
    if (state_ != State::Failed) state_ = State::Header;
    header_.clear();
    wipe_body();
    expected_ = 0;
    return event;
}

}  // namespace pkibridge::host::messaging
