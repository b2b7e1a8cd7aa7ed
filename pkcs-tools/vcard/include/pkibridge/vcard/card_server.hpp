// `pkcs-tool vcard serve`: keeps a card from a card directory inserted in a vpcd reader.
// Reconnects with backoff when the link drops (pcscd restarts), stops cleanly on SIGTERM
// or SIGINT, and lets tests pull the card: SIGUSR1 removes it (closes the link and stays
// out), SIGUSR2 inserts it again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace pkibridge::vcard {

struct ServeOptions {
    std::filesystem::path dir;
    std::string host = "127.0.0.1";
    std::uint16_t port = 35963;  // vpcd's first reader; the second listens on port + 1
    std::optional<std::filesystem::path> log_file;
    std::optional<std::filesystem::path> pid_file;
    bool start_removed = false;  // begin outside the reader until SIGUSR2
};

// Parses "HOST:PORT" (IPv4 address or name). Throws VcardError(InvalidArgument).
void parse_vpcd_address(const std::string& text, ServeOptions& options);

// Runs until SIGTERM/SIGINT. Throws VcardError for an unusable card directory or log.
void serve(const ServeOptions& options, std::ostream& diagnostics);

}  // namespace pkibridge::vcard
