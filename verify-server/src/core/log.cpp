#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "core/errors.hpp"

namespace pkibridge::server {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::mutex g_write_mutex;
}  // namespace

LogLevel parse_log_level(std::string_view name) {
    if (name == "debug") return LogLevel::Debug;
    if (name == "info") return LogLevel::Info;
    if (name == "warn" || name == "warning") return LogLevel::Warn;
    if (name == "error") return LogLevel::Error;
    if (name == "off") return LogLevel::Off;
    throw ConfigError("log level must be one of debug, info, warn, error, off (got '" +
                      std::string(name) + "')");
}

std::string_view log_level_name(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warn:
            return "warn";
        case LogLevel::Error:
            return "error";
        case LogLevel::Off:
            return "off";
    }
    return "info";
}

void set_log_level(LogLevel level) noexcept {
    g_level.store(static_cast<int>(level));
}

bool log_enabled(LogLevel level) noexcept {
    return level != LogLevel::Off && static_cast<int>(level) >= g_level.load();
}

void log_message(LogLevel level, std::string_view message) {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::lock_guard lock(g_write_mutex);
    std::fprintf(stderr, "%s.%03dZ %-5s %.*s\n", stamp, static_cast<int>(ms.count()),
                 std::string(log_level_name(level)).c_str(), static_cast<int>(message.size()),
                 message.data());
    std::fflush(stderr);
}

}  // namespace pkibridge::server
