// Times as the portal shows them to people: "YYYY-MM-DD HH:MM" in the portal's zone.
#pragma once

#include <cstdint>
#include <string>

namespace pkibridge::server {

std::string portal_local_time(std::int64_t unix_seconds, int utc_offset_minutes);

}  // namespace pkibridge::server
