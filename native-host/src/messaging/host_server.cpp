#include "messaging/host_server.hpp"

#include <unistd.h>

#include "commands/commands.hpp"
#include "core/log.hpp"
#include "messaging/error_reply.hpp"
#include "messaging/frame_reader.hpp"
#include "protocol/arguments.hpp"

namespace pkibridge::host::messaging {

using nlohmann::json;
using protocol::Command;
using protocol::ErrorCode;

HostServer::HostServer(ServerOptions options)
    : options_(std::move(options)), writer_(options_.output_fd) {}

HostServer::~HostServer() {
    shutdown();
}

void HostServer::emit(const json& event) {
    writer_.write(event);
}

int HostServer::run() {
    worker_ = std::thread([this] { worker_loop(); });
    if (options_.card_events) {
        monitor_ = std::make_unique<pcsc::ReaderMonitor>([this](const pcsc::CardEvent& e) {
            json event = {{"event", e.kind == pcsc::CardEvent::Kind::Inserted ? "card-inserted"
                                                                              : "card-removed"},
                          {"reader", e.reader}};
            if (e.kind == pcsc::CardEvent::Kind::Inserted) event["atr"] = pkcs::hex_encode(e.atr);
            emit(event);
        });
        monitor_->start();
    }

    FrameReader reader(options_.input_fd, options_.config.max_message_bytes,
                       config::kMaxMessageBytesCap, options_.config.frame_timeout);
    int exit_code = 0;
    while (auto event = reader.next()) {
        if (event->kind == FrameEvent::Kind::Fatal) exit_code = 2;
        handle_event(*event);
    }
    log::debug("input ended; shutting down");
    if (!shutdown()) {
        // A card call that cannot be interrupted (e.g. a PIN pad waiting for the user):
        // the browser is gone, so leave without waiting for it.
        log::warning("a card operation did not stop in time; exiting anyway");
        std::fflush(nullptr);
        _exit(exit_code);
    }
    return exit_code;
}

bool HostServer::shutdown() {
    if (monitor_) monitor_->stop();
    {
        std::unique_lock lock(mutex_);
        stopping_ = true;
        if (active_) active_->cancellation.cancel();
        cv_.notify_all();
        pins_.wake();
        if (!cv_.wait_for(lock, options_.shutdown_grace, [&] { return worker_idle_; }))
            return false;
    }
    if (worker_.joinable()) worker_.join();
    return true;
}

void HostServer::handle_event(FrameEvent& event) {
    const std::size_t max = options_.config.max_message_bytes;
    switch (event.kind) {
        case FrameEvent::Kind::TooLarge:
            writer_.write(error_message(
                nullptr,
                {ErrorCode::TooLarge,
                 "message of " + std::to_string(event.declared) + " bytes exceeds the limit of " +
                     std::to_string(max) + " bytes; it is skipped",
                 {{"declaredBytes", event.declared}, {"maxBytes", max}}}));
            return;
        case FrameEvent::Kind::Fatal:
            writer_.write(error_message(
                nullptr, {ErrorCode::TooLarge,
                          "declared message length " + std::to_string(event.declared) +
                              " is beyond any browser's limit; closing the connection",
                          {{"declaredBytes", event.declared}, {"maxBytes", max}}}));
            return;
        case FrameEvent::Kind::Truncated:
            writer_.write(error_message(
                nullptr,
                {ErrorCode::BadRequest,
                 event.declared ? "incomplete message: " + std::to_string(event.received) + " of " +
                                      std::to_string(event.declared) + " bytes arrived"
                                : "incomplete message header: " + std::to_string(event.received) +
                                      " of 4 bytes arrived",
                 {{"receivedBytes", event.received}}}));
            return;
        case FrameEvent::Kind::Frame:
            break;
    }
    std::optional<protocol::Request> request;
    try {
        request = protocol::parse_request(event.body);
    } catch (const protocol::RequestError& e) {
        writer_.write(error_message(e.id(), error_reply_for(std::current_exception())));
    }
    pkcs::secure_zero(event.body.data(), event.body.size());  // a pin message holds the PIN
    if (request) handle_request(std::move(*request));
}

void HostServer::handle_request(protocol::Request request) {
    log::debug("request " + request.id.dump() + ": " +
               std::string(protocol::command_name(request.command)));
    try {
        switch (request.command) {
            case Command::Status: {
                bool busy;
                {
                    std::lock_guard lock(mutex_);
                    busy = active_ != nullptr;
                }
                protocol::parse_no_arguments(request.arguments, request.id, "status");
                const std::string* error =
                    options_.config_error ? &*options_.config_error : nullptr;
                writer_.write(result_message(
                    request.id, commands::run_status(error ? nullptr : &options_.config, error,
                                                     request, probe_, busy)));
                return;
            }
            case Command::Cancel:
                handle_cancel(request);
                return;
            case Command::Pin:
                handle_pin(request);
                return;
            default:
                start_card_operation(std::move(request));
                return;
        }
    } catch (...) {
        writer_.write(error_message(request.id, error_reply_for(std::current_exception())));
    }
}

void HostServer::handle_cancel(const protocol::Request& request) {
    const protocol::CancelArguments args =
        protocol::parse_cancel_arguments(request.arguments, request.id);
    json result = {{"cancelled", false}};
    {
        std::lock_guard lock(mutex_);
        if (active_ && (!args.request_id || *args.request_id == active_->request.id)) {
            active_->cancellation.cancel();
            result = {{"cancelled", true}, {"requestId", active_->request.id}};
        }
    }
    pins_.wake();
    writer_.write(result_message(request.id, std::move(result)));
}

void HostServer::handle_pin(protocol::Request& request) {
    protocol::PinArguments args = protocol::parse_pin_arguments(request.arguments, request.id);
    std::string problem;
    switch (pins_.deliver(args.request_id, std::move(args.pin), problem)) {
        case commands::PinBroker::Delivery::Accepted:
            writer_.write(result_message(request.id, {{"accepted", true}}));
            return;
        case commands::PinBroker::Delivery::BadFormat:
            writer_.write(error_message(request.id, {ErrorCode::PinFormat, problem}));
            return;
        case commands::PinBroker::Delivery::NotWaiting:
            writer_.write(error_message(
                request.id, {ErrorCode::BadRequest,
                             "no request " + args.request_id.dump() + " is waiting for a PIN"}));
            return;
    }
}

void HostServer::start_card_operation(protocol::Request request) {
    if (options_.config_error) {
        writer_.write(
            error_message(request.id, {ErrorCode::Internal,
                                       "host configuration invalid: " + *options_.config_error,
                                       {{"configError", *options_.config_error}}}));
        return;
    }
    std::unique_lock lock(mutex_);
    if (active_) {
        const json running = active_->request.id;
        lock.unlock();
        writer_.write(error_message(request.id, {ErrorCode::Busy,
                                                 "another card operation is in progress",
                                                 {{"runningRequestId", running}}}));
        return;
    }
    active_ = std::make_shared<Active>();
    active_->request = std::move(request);
    job_waiting_ = true;
    cv_.notify_all();
}

void HostServer::worker_loop() {
    while (true) {
        std::shared_ptr<Active> job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return job_waiting_ || stopping_; });
            if (stopping_) {  // a queued job is dropped: nobody is left to read its reply
                worker_idle_ = true;
                cv_.notify_all();
                return;  // stopping
            }
            job = active_;
            job_waiting_ = false;
            worker_idle_ = false;
        }

        json reply;
        try {
            commands::CommandContext context{options_.config, job->request, job->cancellation,
                                             pins_, *this};
            context.caller_origin = options_.caller_origin;
            json result;
            switch (job->request.command) {
                case Command::ListCertificates:
                    result = commands::run_list_certificates(context);
                    break;
                case Command::Sign:
                    result = commands::run_sign(context);
                    break;
                case Command::Authenticate:
                    result = commands::run_authenticate(context);
                    break;
                default:
                    throw std::logic_error("not a card operation");
            }
            reply = result_message(job->request.id, std::move(result));
        } catch (...) {
            const ErrorReply error = error_reply_for(std::current_exception());
            log::info("request " + job->request.id.dump() + " failed: " +
                      std::string(protocol::error_code_name(error.code)) + ": " + error.message);
            reply = error_message(job->request.id, error);
        }
        // Free the slot before replying, so the extension's next request is not refused.
        {
            std::lock_guard lock(mutex_);
            active_.reset();
            worker_idle_ = true;
            cv_.notify_all();
        }
        writer_.write(reply);
    }
}

}  // namespace pkibridge::host::messaging
