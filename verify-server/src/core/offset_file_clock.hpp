// A test clock: the system clock plus an offset (integer seconds) read from a file, so
// integration tests can move a running server through days without sleeping. The file is
// re-read when its modification time or size changes. Only enabled by --test-clock.
#pragma once

#include <filesystem>
#include <mutex>

#include "core/clock.hpp"

namespace pkibridge::server {

class OffsetFileClock final : public Clock {
public:
    explicit OffsetFileClock(std::filesystem::path file);
    TimePoint now() const override;

private:
    std::filesystem::path file_;
    mutable std::mutex mutex_;
    mutable std::filesystem::file_time_type seen_mtime_{};
    mutable std::uintmax_t seen_size_ = static_cast<std::uintmax_t>(-1);
    mutable std::int64_t offset_seconds_ = 0;
};

}  // namespace pkibridge::server
