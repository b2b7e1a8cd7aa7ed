#include "pkibridge/pkcs/certificate_json.hpp"

#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {

nlohmann::json certificate_to_json(const Certificate& cert) {
    nlohmann::json j;
    j["subject"] = cert.subject();
    j["issuer"] = cert.issuer();
    j["subjectCommonName"] = cert.subject_common_name();
    if (auto sn = cert.subject_serial_number(); !sn.empty()) j["subjectSerialNumber"] = sn;
    j["serial"] = cert.serial_hex();
    j["notBefore"] = format_rfc3339(cert.not_before());
    j["notAfter"] = format_rfc3339(cert.not_after());
    j["notBeforeUnix"] = cert.not_before();
    j["notAfterUnix"] = cert.not_after();
    j["keyUsage"] = cert.key_usage();
    j["extendedKeyUsage"] = cert.extended_key_usage();
    j["policies"] = cert.policies();
    j["keyType"] = cert.key_type();
    j["keyBits"] = cert.key_bits();
    if (auto curve = cert.curve(); !curve.empty()) j["curve"] = curve;
    j["sha256"] = cert.sha256_fingerprint();
    j["caKind"] = ca_kind_name(cert.ca_kind());
    GpkiAttributes gpki = cert.gpki_attributes();
    if (!gpki.empty()) {
        nlohmann::json g = nlohmann::json::object();
        if (gpki.id_last4) g["idLast4"] = *gpki.id_last4;
        if (gpki.business_number) g["businessNumber"] = *gpki.business_number;
        if (gpki.organisation_oid) g["organisationOid"] = *gpki.organisation_oid;
        j["gpki"] = std::move(g);
    }
    j["crlDistributionPoints"] = cert.crl_distribution_points();
    j["isCa"] = cert.is_ca();
    return j;
}

nlohmann::json revocation_entry_to_json(const RevocationEntry& entry) {
    nlohmann::json j;
    j["serial"] = entry.serial_hex();
    j["revokedAt"] = format_rfc3339(entry.revoked_at);
    j["revokedAtUnix"] = entry.revoked_at;
    j["reason"] = entry.reason_name();
    if (entry.certificate_issuer) j["certificateIssuer"] = *entry.certificate_issuer;
    return j;
}

nlohmann::json crl_to_json(const Crl& crl, std::size_t max_entries) {
    nlohmann::json j;
    j["issuer"] = crl.issuer();
    j["thisUpdate"] = format_rfc3339(crl.this_update());
    j["thisUpdateUnix"] = crl.this_update();
    if (auto next = crl.next_update()) {
        j["nextUpdate"] = format_rfc3339(*next);
        j["nextUpdateUnix"] = *next;
    }
    if (auto number = crl.number()) j["number"] = number->decimal();
    if (auto base = crl.delta_base()) j["deltaBase"] = base->decimal();
    if (auto idp = crl.issuing_distribution_point()) {
        nlohmann::json d;
        d["uris"] = idp->uris;
        d["onlyContainsUserCerts"] = idp->only_user_certs;
        d["onlyContainsCACerts"] = idp->only_ca_certs;
        d["onlyContainsAttributeCerts"] = idp->only_attribute_certs;
        d["indirectCRL"] = idp->indirect_crl;
        if (idp->only_some_reasons) d["onlySomeReasons"] = *idp->only_some_reasons;
        j["issuingDistributionPoint"] = std::move(d);
    }
    j["signatureAlgorithm"] = crl.signature_algorithm();
    j["entries"] = crl.size();
    nlohmann::json revoked = nlohmann::json::array();
    for (std::size_t i = 0; i < crl.size() && i < max_entries; ++i)
        revoked.push_back(revocation_entry_to_json(crl.entry(i)));
    j["revoked"] = std::move(revoked);
    return j;
}

}  // namespace pkibridge::pkcs
