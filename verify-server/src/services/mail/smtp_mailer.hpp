// E-mail through the configured SMTP server with libcurl: smtp:// (optionally requiring
// STARTTLS) or smtps://, a timeout, RFC 2047 UTF-8 subjects and base64 UTF-8 bodies, Date
// and Message-ID headers. With an empty smtp.url the mailer is disabled and send() throws.
#pragma once

#include <mutex>
#include <string>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "services/mail/mailer.hpp"

namespace pkibridge::server {

class SmtpMailer final : public Mailer {
public:
    SmtpMailer(SmtpConfig config, const Clock& clock);
    void send(const MailMessage& message) override;
    bool enabled() const override { return !config_.url.empty(); }

    // The full RFC 5322 message (headers + base64 body) as sent; exposed for unit tests.
    std::string format(const MailMessage& message, const std::string& message_id) const;

private:
    SmtpConfig config_;
    const Clock& clock_;
};

// "=?UTF-8?B?...?=" words (each at most 75 characters, split on UTF-8 boundaries); plain
// ASCII text without specials is returned as it is.
std::string rfc2047_encode(const std::string& text);

}  // namespace pkibridge::server
