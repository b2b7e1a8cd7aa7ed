#include "core/portal_calendar.hpp"

#include <chrono>
#include <cstdio>

#include "core/errors.hpp"

namespace pkibridge::server {

namespace {
constexpr std::int64_t kDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

std::string PortalCalendar::day_of(std::int64_t unix_seconds) const {
    using namespace std::chrono;
    const sys_days day{days{floor_div(unix_seconds + offset_seconds_, kDay)}};
    const year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::int64_t PortalCalendar::start_of_day(std::string_view text) const {
    using namespace std::chrono;
    int y = 0;
    unsigned m = 0, d = 0;
    char tail = 0;
    const std::string s(text);
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
        throw ServiceError(ErrorKind::BadRequest, "invalid-date",
                           "dates are written YYYY-MM-DD (got '" + s + "')");
    }
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok()) {
        throw ServiceError(ErrorKind::BadRequest, "invalid-date", "no such date: " + s);
    }
    return sys_days{ymd}.time_since_epoch().count() * kDay - offset_seconds_;
}

std::int64_t PortalCalendar::end_of_day(std::int64_t unix_seconds) const {
    return (floor_div(unix_seconds + offset_seconds_, kDay) + 1) * kDay - offset_seconds_;
}

}  // namespace pkibridge::server
