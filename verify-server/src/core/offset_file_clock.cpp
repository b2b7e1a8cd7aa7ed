#include "core/offset_file_clock.hpp"

#include <charconv>
#include <fstream>
#include <string>
#include <system_error>

#include "core/log.hpp"

namespace pkibridge::server {

OffsetFileClock::OffsetFileClock(std::filesystem::path file) : file_(std::move(file)) {}

TimePoint OffsetFileClock::now() const {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(file_, ec);
    auto size = ec ? 0 : std::filesystem::file_size(file_, ec);
    if (ec) {
        offset_seconds_ = 0;  // no file: the real time
        seen_size_ = static_cast<std::uintmax_t>(-1);
    } else if (mtime != seen_mtime_ || size != seen_size_) {
        std::ifstream in(file_);
        std::string text;
        std::getline(in, text);
        std::int64_t value = 0;
        auto [ptr, err] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (err == std::errc() && ptr != text.data()) {
            offset_seconds_ = value;
            seen_mtime_ = mtime;
            seen_size_ = size;
        } else {
            log_warn("test clock file " + file_.string() + " does not hold an integer; ignored");
        }
    }
    return std::chrono::system_clock::now() + std::chrono::seconds(offset_seconds_);
}

}  // namespace pkibridge::server
