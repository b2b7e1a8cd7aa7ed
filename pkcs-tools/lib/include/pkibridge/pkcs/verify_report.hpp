// JSON reports of verification results, for `pkcs-tool verify --json`, the host and the
// server. Certificates are described with certificate_to_json. Keys are camelCase.
#pragma once

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/path_validation.hpp"

namespace pkibridge::pkcs {

// {valid, reason, message, chain[] (certificate_to_json), failingIndex?, revocation?
//  {revokedAt, revokedAtUnix, reason, serial, subject, crlIssuer}, revocationChecked,
//  candidatesTried}
nlohmann::json path_report_json(const PathResult& result);

// {valid, reason, message, signer? (certificate_to_json), contentType, detached,
//  contentSize?, content? (base64, only if include_content), signerCount, digestAlgorithm,
//  signatureAlgorithm, signedAttributes {present, contentType?, messageDigest? (hex),
//  signingTime?, signingTimeUnix?, nonce? (hex), cardSerial?, signingCertificateV2,
//  signingCertificate}, embeddedCertificates (count), path? (path_report_json, when the
//  signature part passed)}
nlohmann::json verify_report_json(const CmsVerifyResult& result, bool include_content = false);
nlohmann::json signature_report_json(const CmsSignatureResult& result,
                                     bool include_content = false);

}  // namespace pkibridge::pkcs
