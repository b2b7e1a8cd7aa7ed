// The TCP link to vsmartcard's vpcd reader driver. The card is the client; every frame in
// both directions is a 2-byte big-endian length and that many bytes (see
// docs/virtual-card.md). Closing the connection is how a card leaves the reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::vcard {

class VpcdLink {
public:
    // nullopt when nobody listens (pcscd not running yet) or the host does not resolve.
    static std::optional<VpcdLink> connect(const std::string& host, std::uint16_t port);

    VpcdLink(VpcdLink&& other) noexcept;
    VpcdLink& operator=(VpcdLink&& other) noexcept;
    VpcdLink(const VpcdLink&) = delete;
    VpcdLink& operator=(const VpcdLink&) = delete;
    ~VpcdLink();

    int fd() const noexcept { return fd_; }
    // One whole frame; nullopt when the peer closed the link or it failed.
    std::optional<pkcs::Bytes> read_frame();
    bool write_frame(pkcs::ByteView payload);
    void close() noexcept;

private:
    explicit VpcdLink(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace pkibridge::vcard
