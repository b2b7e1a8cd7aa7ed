// The semi-annual account review list (the content of form D-06-20: every account in the
// administrator's scope with its agency / unit, identity types, last logins and status) as
// CSV for spreadsheets and as a printable HTML page.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/portal_calendar.hpp"
#include "services/admin/catalogue.hpp"
#include "store/portal/admin_store.hpp"

namespace pkibridge::server {

// One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF (quotes
// doubled). A value starting with = + - @ (or a tab / CR, which spreadsheets also strip)
// gets a leading apostrophe so it is shown as text, never run as a formula.
std::string csv_field(std::string_view value);
std::string csv_row(const std::vector<std::string>& fields);  // ends in CRLF
// Text for HTML element content and attribute values.
std::string html_escape(std::string_view text);

struct ReviewHeader {
    std::string generated_day;  // portal day
    std::string generated_at;   // "YYYY-MM-DD HH:MM" portal time
    std::string administrator;  // name (national ID) of who exported it
};

// UTF-8 with a byte-order mark (so Excel opens the Chinese headings correctly), CRLF lines.
std::string review_csv(const std::vector<AdminAccount>& accounts, const Catalogue& catalogue,
                       const PortalCalendar& calendar, const ReviewHeader& header);
std::string review_html(const std::vector<AdminAccount>& accounts, const Catalogue& catalogue,
                        const PortalCalendar& calendar, const ReviewHeader& header);

// The page's only style sheet (inline; the HTTP layer allows it by its CSP hash).
std::string_view review_print_css();

// "YYYY-MM-DD HH:MM:SS" in the portal's time zone; "" for nullopt.
std::string portal_time(const PortalCalendar& calendar, std::optional<std::int64_t> unix_seconds);

}  // namespace pkibridge::server
