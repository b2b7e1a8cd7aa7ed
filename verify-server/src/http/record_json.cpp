#include "http/record_json.hpp"

#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::server {

using nlohmann::json;

json optional_json(const std::optional<std::string>& v) {
    return v ? json(*v) : json(nullptr);
}

json optional_time_json(std::optional<std::int64_t> t) {
    return t ? json(pkcs::format_rfc3339(*t)) : json(nullptr);
}

json account_json(const Account& a) {
    return {{"id", a.id},
            {"nationalId", a.national_id},
            {"name", a.name},
            {"birthDate", optional_json(a.birth_date)},
            {"agency", optional_json(a.agency)},
            {"unit", optional_json(a.unit)},
            {"agencyOid", optional_json(a.agency_oid)},
            {"jurisdictionOid", optional_json(a.jurisdiction_oid)},
            {"email", optional_json(a.email)},
            {"phone", optional_json(a.phone)},
            {"roles", a.roles},
            {"status", account_status_name(a.status)}};
}

json certificate_json(const RegisteredCertificate& c) {
    return {{"sha256", c.sha256},
            {"issuer", c.issuer},
            {"serial", c.serial},
            {"subject", c.subject},
            {"notAfter", pkcs::format_rfc3339(c.not_after)},
            {"registeredAt", pkcs::format_rfc3339(c.registered_at)}};
}

json login_json(const LoginEvent& e) {
    return {{"at", pkcs::format_rfc3339(e.at)},
            {"method", e.method},
            {"certificateSha256", optional_json(e.certificate_sha256)},
            {"certificateSubject", optional_json(e.certificate_subject)},
            {"ip", optional_json(e.ip)}};
}

}  // namespace pkibridge::server
