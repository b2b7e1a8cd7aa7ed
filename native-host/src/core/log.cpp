#include "core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace pkibridge::host::log {
namespace {

struct Sink {
    std::mutex mutex;
    bool on = false;
    Level level = Level::Info;
    std::FILE* file = nullptr;  // owned when not stderr
};

Sink& sink() {
    static Sink s;
    return s;
}

const char* level_name(Level level) {
    switch (level) {
        case Level::Error:
            return "error";
        case Level::Warning:
            return "warning";
        case Level::Info:
            return "info";
        case Level::Debug:
            return "debug";
    }
    return "?";
}

void close_file(Sink& s) {
    if (s.file && s.file != stderr) std::fclose(s.file);
    s.file = nullptr;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
    if (name == "error") return Level::Error;
    if (name == "warning") return Level::Warning;
    if (name == "info") return Level::Info;
    if (name == "debug") return Level::Debug;
    return std::nullopt;
}

void enable(Level level, const std::filesystem::path& file) {
    Sink& s = sink();
    std::lock_guard lock(s.mutex);
    close_file(s);
    s.file = stderr;
    if (!file.empty()) {
        std::FILE* f = std::fopen(file.c_str(), "a");
        if (f)
            s.file = f;
        else
            std::fprintf(stderr, "pkibridge-host: cannot open log file %s; logging to stderr\n",
                         file.c_str());
    }
    s.level = level;
    s.on = true;
}

void disable() {
    Sink& s = sink();
    std::lock_guard lock(s.mutex);
    close_file(s);
    s.on = false;
}

bool enabled(Level level) {
    Sink& s = sink();
    std::lock_guard lock(s.mutex);
    return s.on && level <= s.level;
}

void write(Level level, std::string_view message) {
    Sink& s = sink();
    std::lock_guard lock(s.mutex);
    if (!s.on || level > s.level || !s.file) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::fprintf(s.file, "%s.%03dZ pkibridge-host[%d] %s: %.*s\n", stamp, static_cast<int>(ms),
                 static_cast<int>(getpid()), level_name(level), static_cast<int>(message.size()),
                 message.data());
    std::fflush(s.file);
}

}  // namespace pkibridge::host::log
