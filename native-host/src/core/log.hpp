// Diagnostic log of the host. Off unless the configuration enables it; then it goes to
// stderr or to a file, never to stdout (stdout carries only protocol frames).
// Never pass a PIN, data to be signed, or a signature to these functions.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pkibridge::host::log {

enum class Level { Error = 0, Warning = 1, Info = 2, Debug = 3 };

// "error", "warning", "info", "debug"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view name);

// Enables logging at `level` to `file`, or to stderr when file is empty. Thread-safe.
void enable(Level level, const std::filesystem::path& file = {});
void disable();
bool enabled(Level level);

void write(Level level, std::string_view message);

inline void error(std::string_view m) {
    write(Level::Error, m);
}
inline void warning(std::string_view m) {
    write(Level::Warning, m);
}
inline void info(std::string_view m) {
    write(Level::Info, m);
}
inline void debug(std::string_view m) {
    write(Level::Debug, m);
}

}  // namespace pkibridge::host::log
