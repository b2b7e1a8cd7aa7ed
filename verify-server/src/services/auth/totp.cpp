#include "services/auth/totp.hpp"

#include <liboath/oath.h>
#include <qrencode.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "core/errors.hpp"

namespace pkibridge::server {

namespace {

void ensure_oath() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (oath_init() != OATH_OK)
            throw ServiceError(ErrorKind::Internal, "internal-error", "liboath unusable");
    });
}

struct FreeDeleter {
    void operator()(void* p) const noexcept { std::free(p); }
};

// Percent-encoding for URI components (RFC 3986 unreserved characters kept).
std::string uri_escape(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace

std::string base32_encode(std::string_view raw) {
    ensure_oath();
    char* out = nullptr;
    size_t len = 0;
    if (oath_base32_encode(raw.data(), raw.size(), &out, &len) != OATH_OK)
        throw ServiceError(ErrorKind::Internal, "internal-error", "base32 encoding failed");
    std::unique_ptr<char, FreeDeleter> holder(out);
    std::string s(out, len);
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
}

std::optional<std::string> base32_decode(std::string_view text) {
    ensure_oath();
    char* out = nullptr;
    size_t len = 0;
    if (oath_base32_decode(text.data(), text.size(), &out, &len) != OATH_OK) return std::nullopt;
    std::unique_ptr<char, FreeDeleter> holder(out);
    return std::string(out, len);
}

std::string totp_code(std::string_view secret, std::int64_t now, unsigned digits) {
    ensure_oath();
    char otp[16] = {};
    if (oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(now), kTotpStepSeconds,
                           0, digits, otp) != OATH_OK)
        throw ServiceError(ErrorKind::Internal, "internal-error", "TOTP generation failed");
    return otp;
}

std::optional<std::int64_t> totp_match(std::string_view secret, std::int64_t now,
                                       std::string_view code, unsigned window, unsigned digits) {
    ensure_oath();
    if (code.size() != digits) return std::nullopt;
    for (char c : code)
        if (c < '0' || c > '9') return std::nullopt;
    const std::string otp(code);
    int pos = 0;
    uint64_t counter = 0;
    const int rc = oath_totp_validate3(secret.data(), secret.size(), static_cast<time_t>(now),
                                       kTotpStepSeconds, 0, window, &pos, &counter, otp.c_str());
    if (rc < 0) return std::nullopt;
    return static_cast<std::int64_t>(counter);
}

std::string otpauth_uri(std::string_view issuer, std::string_view label,
                        std::string_view secret_base32) {
    return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(label) +
           "?secret=" + std::string(secret_base32) + "&issuer=" + uri_escape(issuer) +
           "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
           "&period=" + std::to_string(kTotpStepSeconds);
}

std::string qr_svg(std::string_view text) {
    const std::string s(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
        QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!qr) throw ServiceError(ErrorKind::Internal, "internal-error", "QR encoding failed");
    constexpr int quiet = 4;
    const int w = qr->width;
    const int size = w + 2 * quiet;
    std::string path;
    for (int y = 0; y < w; ++y) {
        for (int x = 0; x < w; ++x) {
            // Bit 0 of each module byte: 1 = dark.
            if (qr->data[y * w + x] & 1) {
                path +=
                    "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
            }
        }
    }
    const std::string n = std::to_string(size);
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
           "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">"
           "<rect width=\"" +
           n + "\" height=\"" + n +
           "\" fill=\"#fff\"/>"
           "<path fill=\"#000\" d=\"" +
           path + "\"/></svg>";
}

}  // namespace pkibridge::server
