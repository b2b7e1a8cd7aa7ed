#include "services/mail/smtp_mailer.hpp"

#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "core/random.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::server {

namespace {

void ensure_curl() {
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) throw MailError("libcurl initialisation failed");
}

bool plain_ascii(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c >= 0x7F || c == '=' || c == '?') return false;
    return true;
}

// Header values must not smuggle extra header lines.
void check_header_value(const std::string& v, const char* what) {
    if (v.find_first_of("\r\n") != std::string::npos)
        throw MailError(std::string("line break in the mail ") + what);
}

std::string base64_lines(const std::string& data) {
    const std::string b64 = pkcs::base64_encode(
        pkcs::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
    std::string out;
    for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
    return out;
}

std::string rfc5322_date(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string domain_of(const std::string& address) {
    auto at = address.rfind('@');
    std::string d = at == std::string::npos ? "localhost" : address.substr(at + 1);
    while (!d.empty() && (d.back() == '>' || d.back() == ' ')) d.pop_back();
    return d.empty() ? "localhost" : d;
}

struct Upload {
    const std::string* data;
    std::size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* u = static_cast<Upload*>(userdata);
    const std::size_t room = size * nitems;
    const std::size_t n = std::min(room, u->data->size() - u->offset);
    std::memcpy(buffer, u->data->data() + u->offset, n);
    u->offset += n;
    return n;
}

struct CurlDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

}  // namespace

std::string rfc2047_encode(const std::string& text) {
    if (plain_ascii(text)) return text;
    // Each encoded word holds at most 45 bytes (60 base64 chars + 12 of framing = 72).
    constexpr std::size_t kChunk = 45;
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t end = std::min(text.size(), i + kChunk);
        // Do not split a UTF-8 sequence: back up to a lead byte.
        while (end < text.size() && end > i &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        const std::string part = text.substr(i, end - i);
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" +
               pkcs::base64_encode(pkcs::ByteView(
                   reinterpret_cast<const std::uint8_t*>(part.data()), part.size())) +
               "?=";
        i = end;
    }
    return out;
}

SmtpMailer::SmtpMailer(SmtpConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

std::string SmtpMailer::format(const MailMessage& m, const std::string& message_id) const {
    check_header_value(m.to, "recipient");
    check_header_value(config_.from, "sender");
    std::string out;
    out += "Date: " + rfc5322_date(clock_.now_unix()) + "\r\n";
    out += "From: " + config_.from + "\r\n";
    out += "To: " + m.to + "\r\n";
    out += "Message-ID: " + message_id + "\r\n";
    out += "Subject: " + rfc2047_encode(m.subject) + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n";
    out += "\r\n";
    out += base64_lines(m.body_text);
    return out;
}

void SmtpMailer::send(const MailMessage& message) {
    if (!enabled()) throw MailError("mail is not configured (smtp.url is empty)");
    if (message.to.empty() || message.to.find('@') == std::string::npos)
        throw MailError("no valid recipient address");
    ensure_curl();
    const std::string message_id = "<" + random_token(18) + "@" + domain_of(config_.from) + ">";
    const std::string payload = format(message, message_id);

    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw MailError("libcurl handle unavailable");
    std::unique_ptr<curl_slist, SlistDeleter> rcpt(
        curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
    const std::string from = "<" + config_.from + ">";
    Upload upload{&payload};
    char error[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout_seconds));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.timeout_seconds));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    if (config_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!config_.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        // The error text names the server and the SMTP reply, never the credentials.
        throw MailError(std::string("SMTP delivery failed: ") +
                        (error[0] ? error : curl_easy_strerror(rc)));
    }
}

}  // namespace pkibridge::server
