#include "services/admin/review_export.hpp"

#include <cstdio>

namespace pkibridge::server {

namespace {

const char* status_zh(AccountStatus s) {
    switch (s) {
        case AccountStatus::Pending:
            return "待啟用";
        case AccountStatus::Active:
            return "使用中";
        case AccountStatus::Disabled:
            return "停用";
        case AccountStatus::Locked:
            return "鎖定";
    }
    return "";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

std::string roles_text(const Account& a) {
    std::vector<std::string> out;
    for (const auto& r : a.roles) {
        if (r == "super-admin")
            out.push_back("計畫承辦人 super-admin");
        else if (r == "registration-admin")
            out.push_back("註冊管理者 registration-admin");
        else
            out.push_back("一般使用者 user");
    }
    return join(out, "; ");
}

std::string identity_text(const AdminAccount& a, const Catalogue& catalogue) {
    std::vector<std::string> out;
    for (const auto& t : a.identity_types) {
        auto label = catalogue.label_of(t);
        out.push_back(label ? t + " (" + *label + ")" : t);
    }
    return join(out, "; ");
}

std::optional<std::int64_t> last_login(const Account& a) {
    std::optional<std::int64_t> best = a.last_login_at;
    for (const auto& t : {a.last_password_login_at, a.last_certificate_login_at})
        if (t && (!best || *t > *best)) best = t;
    return best;
}

struct Column {
    const char* zh;
    const char* en;
};

constexpr Column kColumns[] = {
    {"序號", "No."},
    {"身分證字號", "National ID"},
    {"姓名", "Name"},
    {"機關名稱", "Agency"},
    {"單位名稱", "Unit"},
    {"機關OID", "Agency OID"},
    {"管轄範圍OID", "Jurisdiction OID"},
    {"角色", "Roles"},
    {"身份類型", "Identity types"},
    {"帳號狀態", "Status"},
    {"上一次帳號密碼登入時間", "Last password login"},
    {"上一次憑證登入時間", "Last certificate login"},
    {"最後登入時間", "Last login"},
    {"建立時間", "Created"},
};

std::vector<std::string> row_of(std::size_t index, const AdminAccount& x,
                                const Catalogue& catalogue, const PortalCalendar& cal) {
    const Account& a = x.account;
    return {std::to_string(index),
            a.national_id,
            a.name,
            a.agency.value_or(""),
            a.unit.value_or(""),
            a.agency_oid.value_or(""),
            a.jurisdiction_oid.value_or(""),
            roles_text(a),
            identity_text(x, catalogue),
            std::string(status_zh(a.status)) + " " + std::string(account_status_name(a.status)),
            portal_time(cal, a.last_password_login_at),
            portal_time(cal, a.last_certificate_login_at),
            portal_time(cal, last_login(a)),
            portal_time(cal, a.created_at)};
}

}  // namespace

std::string_view review_print_css() {
    return "body{font-family:\"Noto Sans TC\",\"Microsoft JhengHei\",sans-serif;margin:1.5em;"
           "color:#000}\n"
           "h1{font-size:1.3em;margin:0 0 .3em}\n.en{color:#444;font-size:.85em;display:block}\n"
           "table{border-collapse:collapse;width:100%;font-size:.8em}\n"
           "th,td{border:1px solid #555;padding:.25em .4em;vertical-align:top;text-align:left}\n"
           "th{background:#eee}\ntfoot td{border:none;padding-top:2.5em}\n"
           ".sign{display:inline-block;min-width:16em;border-bottom:1px solid #000;"
           "margin-right:2em}\n"
           "@media print{@page{size:A4 landscape;margin:12mm}body{margin:0}"
           "thead{display:table-header-group}tr{page-break-inside:avoid}"
           "th{background:#eee!important;-webkit-print-color-adjust:exact;"
           "print-color-adjust:exact}}\n";
}

std::string portal_time(const PortalCalendar& calendar, std::optional<std::int64_t> t) {
    if (!t) return "";
    const std::string day = calendar.day_of(*t);
    const std::int64_t secs = *t - calendar.start_of_day(day);
    char buf[48];
    std::snprintf(buf, sizeof buf, " %02d:%02d:%02d", static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
    return day + buf;
}

std::string csv_field(std::string_view value) {
    std::string v(value);
    if (!v.empty() &&
        (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        v.insert(v.begin(), '\'');
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += csv_field(fields[i]);
    }
    out += "\r\n";
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string review_csv(const std::vector<AdminAccount>& accounts, const Catalogue& catalogue,
                       const PortalCalendar& calendar, const ReviewHeader& header) {
    std::string out = "\xEF\xBB\xBF";
    std::vector<std::string> heading;
    for (const auto& c : kColumns) heading.push_back(std::string(c.zh) + " " + c.en);
    out += csv_row({"商工 e 網通業務帳號清查單 (半年) D-06-20 / Semi-annual account review",
                    "產製日期 Generated " + header.generated_at,
                    "產製者 Exported by " + header.administrator});
    out += csv_row(heading);
    std::size_t i = 0;
    for (const auto& a : accounts) out += csv_row(row_of(++i, a, catalogue, calendar));
    return out;
}

std::string review_html(const std::vector<AdminAccount>& accounts, const Catalogue& catalogue,
                        const PortalCalendar& calendar, const ReviewHeader& header) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>業務帳號清查單 Account review " +
        html_escape(header.generated_day) + "</title>\n<style>" + std::string(review_print_css()) +
        "</style>\n</head>\n<body>\n<h1>商工 e 網通業務帳號清查單（半年）D-06-20"
        "<span class=\"en\">Semi-annual business account review list</span></h1>\n<p>產製時間 "
        "Generated: " +
        html_escape(header.generated_at) +
        "（Asia/Taipei）　產製者 Exported by: " + html_escape(header.administrator) +
        "　帳號數 Accounts: " + std::to_string(accounts.size()) + "</p>\n<table>\n<thead><tr>";
    for (const auto& c : kColumns)
        out += "<th scope=\"col\">" + html_escape(c.zh) + "<span class=\"en\">" +
               html_escape(c.en) + "</span></th>";
    out += "</tr></thead>\n<tbody>\n";
    std::size_t i = 0;
    for (const auto& a : accounts) {
        out += "<tr>";
        for (const auto& f : row_of(++i, a, catalogue, calendar))
            out += "<td>" + html_escape(f) + "</td>";
        out += "</tr>\n";
    }
    out += "</tbody>\n<tfoot><tr><td colspan=\"" + std::to_string(std::size(kColumns)) +
           "\"><span class=\"sign\">業務帳號註冊管理者 Registration administrator：</span>"
           "<span class=\"sign\">單位主管 Head of unit：</span>"
           "<span class=\"sign\">日期 Date：</span></td></tr></tfoot>\n</table>\n</body>\n"
           "</html>\n";
    return out;
}

}  // namespace pkibridge::server
