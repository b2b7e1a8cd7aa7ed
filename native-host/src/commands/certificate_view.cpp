#include "commands/certificate_view.hpp"

#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::host::commands {

nlohmann::json certificate_entry(const card::Token& token, const card::TokenKey& key,
                                 const std::string& certificate_id) {
    nlohmann::json entry = pkcs::certificate_to_json(key.certificate);
    entry["certificateId"] = certificate_id;
    entry["reader"] = token.description().reader;
    entry["cardType"] = token.description().card_type;
    entry["slot"] = key.key_ref;
    entry["slotLabel"] = key.label;
    entry["authenticationKey"] = key.authentication_key;
    entry["certificate"] = pkcs::base64_encode(key.certificate.der());
    return entry;
}

nlohmann::json certificate_summary(const card::TokenKey& key, const std::string& certificate_id) {
    return {
        {"certificateId", certificate_id},
        {"slot", key.key_ref},
        {"subject", key.certificate.subject()},
        {"subjectCommonName", key.certificate.subject_common_name()},
        {"issuer", key.certificate.issuer()},
        {"serial", key.certificate.serial_hex()},
        {"notAfter", pkcs::format_rfc3339(key.certificate.not_after())},
        {"caKind", std::string(pkcs::ca_kind_name(key.certificate.ca_kind()))},
    };
}

}  // namespace pkibridge::host::commands
