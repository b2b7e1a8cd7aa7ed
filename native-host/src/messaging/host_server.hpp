// The host's main loop. The calling thread reads frames and answers status, cancel and
// pin at once; card operations (list-certificates, sign, authenticate) run one at a time
// on a worker thread, and a second one while the first runs is refused with ERR_BUSY.
// A reader monitor thread sends card-inserted / card-removed events.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "commands/event_sink.hpp"
#include "commands/pin_broker.hpp"
#include "commands/status_probe.hpp"
#include "config/host_config.hpp"
#include "core/cancellation.hpp"
#include "messaging/frame_decoder.hpp"
#include "messaging/frame_writer.hpp"
#include "pcsc/reader_monitor.hpp"
#include "protocol/request.hpp"

namespace pkibridge::host::messaging {

struct ServerOptions {
    config::HostConfig config;                // defaults when config_error is set
    std::optional<std::string> config_error;  // the configuration could not be loaded
    int input_fd = 0;
    int output_fd = 1;
    bool card_events = true;  // run the reader monitor
    // "chrome-extension://<id>" from the browser's command line: that extension's own pages
    // may use `sign` (see docs/native-messaging-protocol.md, section 4).
    std::optional<std::string> caller_origin;
    // How long to wait at end of input for a running request to notice its cancellation.
    std::chrono::milliseconds shutdown_grace{3000};
};

class HostServer : public commands::EventSink {
public:
    explicit HostServer(ServerOptions options);
    ~HostServer() override;

    // Serves until the input ends. Returns the process exit code.
    int run();

    void emit(const nlohmann::json& event) override;

private:
    struct Active {
        protocol::Request request;
        Cancellation cancellation;
    };

    void handle_event(FrameEvent& event);
    void handle_request(protocol::Request request);
    void handle_cancel(const protocol::Request& request);
    void handle_pin(protocol::Request& request);
    void start_card_operation(protocol::Request request);
    void worker_loop();
    bool shutdown();  // false when the worker did not stop in time

    ServerOptions options_;
    FrameWriter writer_;
    commands::PinBroker pins_;
    commands::StatusProbe probe_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::shared_ptr<Active> active_;  // set while a card operation is queued or running
    bool job_waiting_ = false;        // active_ has not been picked up by the worker yet
    bool stopping_ = false;
    bool worker_idle_ = true;
    std::thread worker_;
    std::unique_ptr<pcsc::ReaderMonitor> monitor_;
};

}  // namespace pkibridge::host::messaging
