#include "pkibridge/vcard/apdu_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "pkibridge/vcard/apdu.hpp"
#include "pkibridge/vcard/errors.hpp"

namespace pkibridge::vcard {

namespace {

std::string timestamp() {
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t t = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

}  // namespace

ApduLog::ApduLog(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) file_ = ::fdopen(fd, "a");
    if (!file_) {
        if (fd >= 0) ::close(fd);
        throw VcardError(VcardErrorCode::Io, "cannot open the APDU log " + path.string());
    }
}

ApduLog::~ApduLog() {
    if (file_) std::fclose(file_);
}

void ApduLog::line(std::string_view text) {
    std::fprintf(file_, "%s %.*s\n", timestamp().c_str(), static_cast<int>(text.size()),
                 text.data());
    std::fflush(file_);
}

void ApduLog::command(pkcs::ByteView command, pkcs::ByteView response) {
    const std::uint16_t status =
        response.size() >= 2
            ? static_cast<std::uint16_t>(response[response.size() - 2] << 8 | response.back())
            : 0;
    char buf[128];
    try {
        CommandApdu cmd = parse_command(command);
        std::snprintf(buf, sizeof buf, "APDU CLA=%02X INS=%02X P1=%02X P2=%02X LC=%zu SW=%04X",
                      cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data.size(), status);
        pkcs::secure_zero(cmd.data.data(), cmd.data.size());
    } catch (const StatusError&) {
        std::snprintf(buf, sizeof buf, "APDU MALFORMED LEN=%zu SW=%04X", command.size(), status);
    }
    line(buf);
}

void ApduLog::event(std::string_view what) {
    line("EVENT " + std::string(what));
}

}  // namespace pkibridge::vcard
