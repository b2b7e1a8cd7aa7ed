#include "pkibridge/vcard/vpcd_link.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace pkibridge::vcard {

namespace {

// A stuck peer must not hang the card forever in the middle of a frame.
constexpr int kFrameTimeoutSeconds = 5;

// vpcd writes a frame's length and its body with two send() calls and Nagle on: without
// an immediate ACK from us the body waits for our delayed ACK (~40 ms per APDU). Linux
// clears TCP_QUICKACK again after a while, so it is set before every read.
void quick_ack(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

bool read_exact(int fd, std::uint8_t* buf, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        quick_ack(fd);
        ssize_t r = ::recv(fd, buf + done, n - done, 0);
        if (r > 0) {
            done += static_cast<std::size_t>(r);
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    return true;
}

bool write_exact(int fd, const std::uint8_t* buf, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        ssize_t r = ::send(fd, buf + done, n - done, MSG_NOSIGNAL);
        if (r > 0) {
            done += static_cast<std::size_t>(r);
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<VpcdLink> VpcdLink::connect(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_INET;  // vpcd listens on IPv4 only
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res)
        return std::nullopt;
    int fd = -1;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        int rc;
        do {
            rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        } while (rc != 0 && errno == EINTR);
        if (rc == 0) break;
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0) return std::nullopt;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{kFrameTimeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return VpcdLink(fd);
}

VpcdLink::VpcdLink(VpcdLink&& other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

VpcdLink& VpcdLink::operator=(VpcdLink&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

VpcdLink::~VpcdLink() {
    close();
}

void VpcdLink::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

std::optional<pkcs::Bytes> VpcdLink::read_frame() {
    std::uint8_t header[2];
    if (fd_ < 0 || !read_exact(fd_, header, 2)) return std::nullopt;
    const std::size_t len = static_cast<std::size_t>(header[0]) << 8 | header[1];
    pkcs::Bytes frame(len);
    if (len > 0 && !read_exact(fd_, frame.data(), len)) return std::nullopt;
    return frame;
}

bool VpcdLink::write_frame(pkcs::ByteView payload) {
    if (fd_ < 0 || payload.empty() || payload.size() > 0xFFFF) return false;
    pkcs::Bytes frame;
    frame.reserve(payload.size() + 2);
    frame.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
    frame.push_back(static_cast<std::uint8_t>(payload.size() & 0xFF));
    frame.insert(frame.end(), payload.begin(), payload.end());
    return write_exact(fd_, frame.data(), frame.size());
}

}  // namespace pkibridge::vcard
