// A small leveled logger writing one line per event to stderr. Never pass secrets
// (session ids, tokens, admin token) to it.
#pragma once

#include <string>
#include <string_view>

namespace pkibridge::server {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

// Accepts "debug", "info", "warn"/"warning", "error", "off"; throws ConfigError.
LogLevel parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level) noexcept;

void set_log_level(LogLevel level) noexcept;
bool log_enabled(LogLevel level) noexcept;
void log_message(LogLevel level, std::string_view message);

inline void log_debug(std::string_view m) {
    if (log_enabled(LogLevel::Debug)) log_message(LogLevel::Debug, m);
}
inline void log_info(std::string_view m) {
    if (log_enabled(LogLevel::Info)) log_message(LogLevel::Info, m);
}
inline void log_warn(std::string_view m) {
    if (log_enabled(LogLevel::Warn)) log_message(LogLevel::Warn, m);
}
inline void log_error(std::string_view m) {
    if (log_enabled(LogLevel::Error)) log_message(LogLevel::Error, m);
}

}  // namespace pkibridge::server
