#include "services/auth/portal_time.hpp"

#include <chrono>
#include <cstdio>

namespace pkibridge::server {

std::string portal_local_time(std::int64_t unix_seconds, int utc_offset_minutes) {
    using namespace std::chrono;
    const sys_seconds local{seconds{unix_seconds + std::int64_t{utc_offset_minutes} * 60}};
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const hh_mm_ss hms{local - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
    return buf;
}

}  // namespace pkibridge::server
