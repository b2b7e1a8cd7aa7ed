// The password rules (at least 12 characters with letters, digits and
// special characters; not the ID number) and the initial password rule.
#include <cctype>

#include "core/errors.hpp"
#include "services/auth/password_policy.hpp"

namespace pkibridge::server {

namespace {

constexpr std::size_t kMaxPasswordBytes = 256;  // Argon2 takes any length; bound the work

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// UTF-8 code points, or npos when the text is not valid UTF-8.
std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
        if (len == 0 || i + len > s.size()) return std::string_view::npos;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
                return std::string_view::npos;
        i += len;
        ++n;
    }
    return n;
}

PasswordPolicyResult refuse(std::string code, std::string message, std::string message_zh) {
    return {std::move(code), std::move(message), std::move(message_zh)};
}

}  // namespace

std::string initial_password_for(std::string_view national_id, std::string_view birth_date) {
    // YYYY-MM-DD
    const bool shape = birth_date.size() == 10 && birth_date[4] == '-' && birth_date[7] == '-' &&
                       std::isdigit(static_cast<unsigned char>(birth_date[5])) &&
                       std::isdigit(static_cast<unsigned char>(birth_date[6])) &&
                       std::isdigit(static_cast<unsigned char>(birth_date[8])) &&
                       std::isdigit(static_cast<unsigned char>(birth_date[9]));
    if (!shape || national_id.size() < 4) {
        throw ServiceError(ErrorKind::BadRequest, "birth-date-required",
                           "the initial password needs the birth date (YYYY-MM-DD) and the ID "
                           "number");
    }
    std::string out = "MmDd";
    out.append(birth_date.substr(5, 2));
    out.append(birth_date.substr(8, 2));
    out.append(national_id.substr(national_id.size() - 4));
    return out;
}

PasswordPolicyResult check_password_policy(std::string_view password, std::string_view national_id,
                                           std::size_t min_length) {
    const std::size_t length = utf8_length(password);
    if (length == std::string_view::npos || password.size() > kMaxPasswordBytes) {
        return refuse("password-invalid", "the password must be UTF-8 text of at most 256 bytes",
                      "密碼格式不正確（最多 256 個位元組的文字），請重新輸入。");
    }
    bool letter = false, digit = false, special = false, control = false;
    for (char ch : password) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F)
            control = true;
        else if (std::isalpha(c) && c < 0x80)
            letter = true;
        else if (std::isdigit(c))
            digit = true;
        else
            special = true;  // ASCII punctuation, space, or any non-ASCII character
    }
    if (control) {
        return refuse("password-invalid", "the password must not contain control characters",
                      "密碼不可包含控制字元，請重新輸入。");
    }
    // Checked first: an ID number is shorter than the minimum, so "equals" alone would
    // never be reported; a password that contains the ID is refused as well.
    if (!national_id.empty() &&
        lower_ascii(password).find(lower_ascii(national_id)) != std::string::npos) {
        return refuse("password-equals-id", "the password must not be or contain your ID number",
                      "密碼不可與身分證號相同或包含身分證號，請另設密碼。");
    }
    if (length < min_length) {
        return refuse("password-too-short",
                      "the password needs at least " + std::to_string(min_length) + " characters",
                      "密碼長度至少需 " + std::to_string(min_length) + " 個字元，請重新設定。");
    }
    if (!letter) {
        return refuse("password-needs-letter", "the password needs at least one letter (A-Z, a-z)",
                      "密碼須包含英文字母，請重新設定。");
    }
    if (!digit) {
        return refuse("password-needs-digit", "the password needs at least one digit (0-9)",
                      "密碼須包含數字，請重新設定。");
    }
    if (!special) {
        return refuse("password-needs-special",
                      "the password needs at least one special character (e.g. ! # % & * ?)",
                      "密碼須包含特殊字元（例如 ! # % & * ?），請重新設定。");
    }
    return {};
}

}  // namespace pkibridge::server
