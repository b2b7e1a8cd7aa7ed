// The messaging layer in-process over pipes (no pcscd: PCSCLITE_CSOCK_NAME points nowhere),
// so the sanitizer run covers the reader/worker threads, framing and error replies.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "messaging/host_server.hpp"

using namespace pkibridge::host;
using nlohmann::json;

namespace {

class ServerUnderTest {
public:
    explicit ServerUnderTest(config::HostConfig config,
                             std::optional<std::string> config_error = {}) {
        setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pkibridge-test/pcscd.comm", 1);
        REQUIRE(pipe(to_host_) == 0);
        REQUIRE(pipe(from_host_) == 0);
        messaging::ServerOptions options;
        options.config = std::move(config);
        options.config_error = std::move(config_error);
        options.input_fd = to_host_[0];
        options.output_fd = from_host_[1];
        options.card_events = false;
        server_ = std::make_unique<messaging::HostServer>(std::move(options));
        thread_ = std::thread([this] { exit_code_ = server_->run(); });
    }
    ~ServerUnderTest() {
        close_input();
        if (thread_.joinable()) thread_.join();
        ::close(to_host_[0]);
        ::close(from_host_[0]);
        ::close(from_host_[1]);
    }

    void send_raw(const std::string& bytes) {
        REQUIRE(::write(to_host_[1], bytes.data(), bytes.size()) ==
                static_cast<ssize_t>(bytes.size()));
    }
    void send(const std::string& body) {
        const auto n = static_cast<std::uint32_t>(body.size());
        std::string frame(4, '\0');
        std::memcpy(frame.data(), &n, 4);
        send_raw(frame + body);
    }
    json receive(int timeout_ms = 5000) {
        std::uint32_t n = 0;
        read_exact(&n, 4, timeout_ms);
        std::string body(n, '\0');
        read_exact(body.data(), n, timeout_ms);
        return json::parse(body);
    }
    void close_input() {
        if (to_host_[1] >= 0) ::close(to_host_[1]);
        to_host_[1] = -1;
    }
    int wait_exit() {
        thread_.join();
        return exit_code_;
    }

private:
    void read_exact(void* out, std::size_t n, int timeout_ms) {
        auto* p = static_cast<char*>(out);
        while (n > 0) {
            pollfd fd{from_host_[0], POLLIN, 0};
            REQUIRE(poll(&fd, 1, timeout_ms) == 1);
            const ssize_t r = ::read(from_host_[0], p, n);
            REQUIRE(r > 0);
            p += r;
            n -= static_cast<std::size_t>(r);
        }
    }

    int to_host_[2] = {-1, -1};
    int from_host_[2] = {-1, -1};
    std::unique_ptr<messaging::HostServer> server_;
    std::thread thread_;
    int exit_code_ = -1;
};

config::HostConfig test_config() {
    config::HostConfig c;
    c.allowed_origins.push_back(config::parse_origin_pattern("https://portal.example"));
    c.max_message_bytes = 2048;
    c.frame_timeout = std::chrono::milliseconds(200);
    return c;
}

}  // namespace

TEST_CASE("the server answers requests and malformed frames and keeps serving", "[server]") {
    ServerUnderTest s(test_config());
    s.send(R"({"id":1,"command":"status","origin":"https://portal.example"})");
    json r = s.receive();
    CHECK(r["id"] == 1);
    CHECK(r["result"]["pcsc"]["available"] == false);
    CHECK(r["result"]["origin"]["allowed"] == true);

    s.send(R"({"id":2,"command":"list-certificates"})");
    CHECK(s.receive()["error"]["code"] == "ERR_PCSC_UNAVAILABLE");

    s.send(R"({"id":3,"command":"sign","origin":"https://evil.example","arguments":{}})");
    CHECK(s.receive()["error"]["code"] == "ERR_ORIGIN_NOT_ALLOWED");

    s.send("not json");
    r = s.receive();
    CHECK(r["id"].is_null());
    CHECK(r["error"]["code"] == "ERR_BAD_REQUEST");

    std::string big(4, '\0');
    const std::uint32_t n = 5000;
    std::memcpy(big.data(), &n, 4);
    s.send_raw(big + std::string(5000, 'x'));
    r = s.receive();
    CHECK(r["error"]["code"] == "ERR_TOO_LARGE");
    CHECK(r["error"]["declaredBytes"] == 5000);

    s.send_raw(std::string("\x10\x00", 2));  // a short header, then silence
    r = s.receive();
    CHECK(r["error"]["code"] == "ERR_BAD_REQUEST");
    CHECK(r["error"]["receivedBytes"] == 2);

    s.send(R"({"id":"c","command":"cancel"})");
    CHECK(s.receive()["result"]["cancelled"] == false);
    s.send(R"({"id":"p","command":"pin","arguments":{"requestId":"x","pin":"123456"}})");
    CHECK(s.receive()["error"]["code"] == "ERR_BAD_REQUEST");
    s.send(R"({"id":"u","command":"reboot"})");
    r = s.receive();
    CHECK(r["id"] == "u");
    CHECK(r["error"]["code"] == "ERR_UNKNOWN_COMMAND");

    s.close_input();
    CHECK(s.wait_exit() == 0);
}

TEST_CASE("an invalid configuration is reported, card operations refused", "[server]") {
    ServerUnderTest s(config::HostConfig{},
                      std::string("/etc/pkibridge/host.json: unknown setting \"x\""));
    s.send(R"({"id":1,"command":"status"})");
    json r = s.receive();
    CHECK(r["result"]["configError"] == "/etc/pkibridge/host.json: unknown setting \"x\"");
    s.send(R"({"id":2,"command":"authenticate","origin":"https://portal.example","arguments":{}})");
    r = s.receive();
    CHECK(r["error"]["code"] == "ERR_INTERNAL");
    CHECK(r["error"].contains("configError"));
}

TEST_CASE("a length beyond any browser's limit closes the connection", "[server]") {
    ServerUnderTest s(test_config());
    s.send_raw(std::string("\xF0\xFF\xFF\xFF", 4));
    CHECK(s.receive()["error"]["code"] == "ERR_TOO_LARGE");
    CHECK(s.wait_exit() == 2);
}
