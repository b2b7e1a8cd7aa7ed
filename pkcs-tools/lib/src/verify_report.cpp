#include "pkibridge/pkcs/verify_report.hpp"

#include "cms_attributes.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {

nlohmann::json path_report_json(const PathResult& result) {
    nlohmann::json j;
    j["valid"] = result.ok();
    j["reason"] = std::string(result.reason());
    j["message"] = cmsdetail::json_safe_utf8(result.message);
    nlohmann::json chain = nlohmann::json::array();
    for (const Certificate& c : result.chain) chain.push_back(certificate_to_json(c));
    j["chain"] = std::move(chain);
    if (result.failing_index >= 0) j["failingIndex"] = result.failing_index;
    if (result.revocation) {
        const RevocationInfo& r = *result.revocation;
        j["revocation"] = {{"revokedAt", format_rfc3339(r.revoked_at)},
                           {"revokedAtUnix", r.revoked_at},
                           {"reason", r.reason},
                           {"serial", r.serial_hex},
                           {"subject", cmsdetail::json_safe_utf8(r.subject)},
                           {"crlIssuer", cmsdetail::json_safe_utf8(r.crl_issuer)}};
    }
    j["revocationChecked"] = result.revocation_checked;
    j["candidatesTried"] = result.candidates_tried;
    return j;
}

nlohmann::json signature_report_json(const CmsSignatureResult& result, bool include_content) {
    nlohmann::json j;
    j["valid"] = result.ok();
    j["reason"] = std::string(validation_status_name(result.status));
    j["message"] = cmsdetail::json_safe_utf8(result.message);
    if (result.signer) j["signer"] = certificate_to_json(*result.signer);
    j["contentType"] = result.content_type;
    j["detached"] = result.detached;
    if (result.content) {
        j["contentSize"] = result.content->size();
        if (include_content) j["content"] = base64_encode(*result.content);
    }
    j["signerCount"] = result.signer_count;
    j["digestAlgorithm"] = result.digest_algorithm_name;
    j["signatureAlgorithm"] =
        result.scheme ? std::string(scheme_name(*result.scheme)) : result.signature_algorithm_name;
    const CmsSignedAttributes& a = result.attributes;
    nlohmann::json attrs = {{"present", a.present},
                            {"signingCertificateV2", a.signing_certificate_v2},
                            {"signingCertificate", a.signing_certificate}};
    if (a.content_type) attrs["contentType"] = *a.content_type;
    if (a.message_digest) attrs["messageDigest"] = hex_encode(*a.message_digest);
    if (a.signing_time) {
        attrs["signingTime"] = format_rfc3339(*a.signing_time);
        attrs["signingTimeUnix"] = *a.signing_time;
    }
    if (a.nonce) attrs["nonce"] = hex_encode(*a.nonce);
    if (a.card_serial) attrs["cardSerial"] = cmsdetail::json_safe_utf8(*a.card_serial);
    j["signedAttributes"] = std::move(attrs);
    j["embeddedCertificates"] = result.embedded_certificates.size();
    return j;
}

nlohmann::json verify_report_json(const CmsVerifyResult& result, bool include_content) {
    nlohmann::json j = signature_report_json(result.signature, include_content);
    j["valid"] = result.ok();
    j["reason"] = std::string(result.reason());
    j["message"] = cmsdetail::json_safe_utf8(result.message);
    if (result.signature.ok()) j["path"] = path_report_json(result.path);
    return j;
}

}  // namespace pkibridge::pkcs
