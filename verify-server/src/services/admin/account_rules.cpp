#include "services/admin/account_rules.hpp"

#include <cctype>

namespace pkibridge::server {

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// The two-digit code of the ID's leading letter (the household registration area).
int letter_code(char c) noexcept {
    static constexpr int kCodes[26] = {10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
                                       22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33};
    if (c < 'A' || c > 'Z') return -1;
    return kCodes[c - 'A'];
}

int parse_fixed(std::string_view s) noexcept {
    int v = 0;
    for (char c : s) {
        if (!is_digit(c)) return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

bool valid_national_id(std::string_view id) noexcept {
    if (id.size() != 10) return false;
    const int code = letter_code(id[0]);
    if (code < 0) return false;
    for (std::size_t i = 1; i < 10; ++i)
        if (!is_digit(id[i])) return false;
    if (id[1] != '1' && id[1] != '2' && id[1] != '8' && id[1] != '9') return false;
    int sum = code / 10 + (code % 10) * 9;
    for (std::size_t i = 1; i <= 8; ++i) sum += (id[i] - '0') * static_cast<int>(9 - i);
    sum += id[9] - '0';
    return sum % 10 == 0;
}

bool valid_calendar_date(std::string_view ymd) noexcept {
    if (ymd.size() != 10 || ymd[4] != '-' || ymd[7] != '-') return false;
    const int y = parse_fixed(ymd.substr(0, 4));
    const int m = parse_fixed(ymd.substr(5, 2));
    const int d = parse_fixed(ymd.substr(8, 2));
    if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
    return d <= max;
}

bool valid_email(std::string_view email) noexcept {
    if (email.empty() || email.size() > 254) return false;
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 ||
        email.find('@', at + 1) != std::string_view::npos)
        return false;
    for (unsigned char c : email)
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
            return false;
    const auto domain = email.substr(at + 1);
    const auto dot = domain.find('.');
    return !domain.empty() && dot != std::string_view::npos && dot != 0 && domain.back() != '.' &&
           domain.find("..") == std::string_view::npos;
}

bool valid_oid(std::string_view oid) noexcept {
    if (oid.empty() || oid.size() > 200) return false;
    int arcs = 0;
    std::size_t pos = 0;
    while (true) {
        const auto dot = oid.find('.', pos);
        const auto arc = oid.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
        if (arc.empty() || arc.size() > 20) return false;
        for (char c : arc)
            if (!is_digit(c)) return false;
        if (arc.size() > 1 && arc[0] == '0') return false;
        if (arcs == 0 && (arc.size() != 1 || arc[0] > '2')) return false;
        ++arcs;
        if (dot == std::string_view::npos) break;
        pos = dot + 1;
    }
    return arcs >= 2;
}

bool oid_at_or_under(std::string_view oid, std::string_view root) noexcept {
    if (!valid_oid(oid) || !valid_oid(root)) return false;
    if (oid.size() < root.size() || oid.substr(0, root.size()) != root) return false;
    // Equal, or the next character starts a new arc (never the middle of an arc).
    return oid.size() == root.size() || oid[root.size()] == '.';
}

}  // namespace pkibridge::server
