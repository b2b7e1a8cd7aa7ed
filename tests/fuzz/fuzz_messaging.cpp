// libFuzzer target: native messaging framing, request envelope and argument parsing, and
// origin parsing — everything the host does with bytes from the browser before it acts.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/origin.hpp"
#include "messaging/frame_decoder.hpp"
#include "protocol/arguments.hpp"
#include "protocol/request.hpp"

using namespace pkibridge::host;

namespace {

void handle_body(const std::string& body) {
    try {
        protocol::Request r = protocol::parse_request(body);
        if (r.origin) {
            if (auto o = config::parse_origin(*r.origin)) (void)o->serialize();
            try {
                (void)config::parse_origin_pattern(*r.origin);
            } catch (const std::invalid_argument&) {
            }
        }
        switch (r.command) {
            case protocol::Command::Sign:
                (void)protocol::parse_sign_arguments(r.arguments, r.id);
                break;
            case protocol::Command::Authenticate:
                (void)protocol::parse_authenticate_arguments(r.arguments, r.id);
                break;
            case protocol::Command::Pin:
                (void)protocol::parse_pin_arguments(r.arguments, r.id);
                break;
            case protocol::Command::Cancel:
                (void)protocol::parse_cancel_arguments(r.arguments, r.id);
                break;
            default:
                protocol::parse_no_arguments(r.arguments, r.id, "x");
                break;
        }
    } catch (const protocol::RequestError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first byte picks how the stream is cut into reads, so frame boundaries land
    // everywhere; small limits make the oversize and fatal paths reachable.
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 64;
    messaging::FrameDecoder decoder(4096, 1 << 20);
    std::vector<messaging::FrameEvent> events;
    for (std::size_t pos = 1; pos < size; pos += chunk) {
        const std::size_t n = std::min(chunk, size - pos);
        decoder.feed({data + pos, n}, events);
        for (auto& e : events)
            if (e.kind == messaging::FrameEvent::Kind::Frame) handle_body(e.body);
        events.clear();
    }
    (void)decoder.abandon_partial();
    // Also the whole input as one message body, so JSON structure is explored directly.
    handle_body(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
    return 0;
}
