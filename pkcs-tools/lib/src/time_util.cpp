#include "pkibridge/pkcs/time_util.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

std::string format_rfc3339(std::int64_t unix_time) {
    std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr)
        throw PkcsError(ErrorCode::InvalidArgument,
                        "time out of range: " + std::to_string(unix_time));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::int64_t parse_rfc3339(std::string_view text) {
    const std::string s(text);
    auto bad = [&]() {
        return PkcsError(ErrorCode::InvalidArgument,
                         "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ): '" + s + "'");
    };
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        throw bad();
    std::size_t pos = static_cast<std::size_t>(consumed);
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos, ++digits;
        if (digits == 0) throw bad();
    }
    std::int64_t offset = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
        int hh = 0, mm = 0;
        if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59)
            throw bad();
        offset = (hh * 3600 + mm * 60) * (s[pos] == '+' ? 1 : -1);
        pos += 6;
    } else {
        throw bad();
    }
    if (pos != s.size()) throw bad();
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        throw bad();
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

std::int64_t asn1_time_to_unix(const ASN1_TIME* time) {
    if (time == nullptr) throw PkcsError(ErrorCode::Malformed, "missing time value");
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1) {
        drain_openssl_errors();
        throw PkcsError(ErrorCode::Malformed, "invalid ASN.1 time value");
    }
    return static_cast<std::int64_t>(timegm(&tm));
}

ASN1_TIME* unix_to_asn1_time(std::int64_t unix_time) {
    ASN1_TIME* t = ASN1_TIME_set(nullptr, static_cast<time_t>(unix_time));
    if (t == nullptr) throw_openssl(ErrorCode::InvalidArgument, "time out of range");
    return t;
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace pkibridge::pkcs
