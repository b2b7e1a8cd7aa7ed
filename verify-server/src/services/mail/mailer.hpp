// Outgoing e-mail as the services see it. SmtpMailer (smtp_mailer.hpp) sends through the
// configured SMTP server with libcurl; a disabled mailer (no smtp.url) throws
// MailError so callers can say "mail is not configured" instead of pretending.
#pragma once

#include <stdexcept>
#include <string>

namespace pkibridge::server {

struct MailMessage {
    std::string to;         // one address
    std::string subject;    // UTF-8 (encoded as RFC 2047 by the mailer)
    std::string body_text;  // UTF-8 plain text
};

class MailError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Mailer {
public:
    virtual ~Mailer() = default;
    // Blocks until the SMTP server accepted the message; throws MailError otherwise.
    virtual void send(const MailMessage& message) = 0;
    virtual bool enabled() const = 0;
};

}  // namespace pkibridge::server
