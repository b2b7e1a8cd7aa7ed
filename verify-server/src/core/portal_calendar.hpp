// The portal's calendar: rules such as "the initial password works only on the day the
// account was created" count days in the portal's time zone (Asia/Taipei, UTC+8, no DST
// since 1979), not in UTC or in the server's local zone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace pkibridge::server {

class PortalCalendar {
public:
    explicit PortalCalendar(int utc_offset_minutes = 480)
        : offset_seconds_(utc_offset_minutes * 60) {}

    // "YYYY-MM-DD" of the portal day containing the instant.
    std::string day_of(std::int64_t unix_seconds) const;
    std::string today(const Clock& clock) const { return day_of(clock.now_unix()); }
    // The first second of that portal day; throws ServiceError(BadRequest) on a bad date.
    std::int64_t start_of_day(std::string_view ymd) const;
    // The first second of the next portal day after the instant (end of "today").
    std::int64_t end_of_day(std::int64_t unix_seconds) const;

private:
    std::int64_t offset_seconds_;
};

}  // namespace pkibridge::server
