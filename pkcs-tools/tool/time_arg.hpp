// Time options of pkcs-tool: Unix seconds or RFC 3339.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::tool {

inline std::int64_t parse_unix_or_rfc3339(const std::string& value, const char* option) {
    std::int64_t unix_time = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), unix_time);
    if (ec == std::errc() && ptr == value.data() + value.size()) return unix_time;
    try {
        return pkcs::parse_rfc3339(value);
    } catch (const pkcs::PkcsError&) {
        throw pkcs::PkcsError(
            pkcs::ErrorCode::InvalidArgument,
            std::string(option) + ": '" + value + "' is neither Unix seconds nor an RFC 3339 time");
    }
}

}  // namespace pkibridge::tool
