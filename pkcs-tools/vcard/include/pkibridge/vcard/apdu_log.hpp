// The card's own record of what it was sent: one line per command APDU with its header,
// data length and status word, never the data (so never a PIN). Tests read it to check,
// from the card's side, which commands a client really sent.
//
//   2025-01-31T12:00:00.123Z APDU CLA=00 INS=20 P1=00 P2=80 LC=8 SW=63C2
//   2025-01-31T12:00:00.456Z EVENT power-on
#pragma once

#include <cstdio>
#include <filesystem>
#include <string_view>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::vcard {

class ApduLog {
public:
    // Appends to path (created with mode 0600). Throws VcardError(Io).
    explicit ApduLog(const std::filesystem::path& path);
    ~ApduLog();
    ApduLog(const ApduLog&) = delete;
    ApduLog& operator=(const ApduLog&) = delete;

    void command(pkcs::ByteView command, pkcs::ByteView response);
    void event(std::string_view what);

private:
    void line(std::string_view text);
    std::FILE* file_ = nullptr;
};

}  // namespace pkibridge::vcard
