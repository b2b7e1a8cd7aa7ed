// Internal: building and signing X.509 certificates for the test CA.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs::certdetail {

struct CertSpec {
    X509_NAME* subject = nullptr;     // borrowed
    EVP_PKEY* subject_key = nullptr;  // the public key to certify
    X509* issuer_cert = nullptr;      // nullptr: self-signed
    EVP_PKEY* issuer_key = nullptr;
    Bytes serial;  // positive magnitude
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    // OpenSSL configuration-style values, e.g. {NID_key_usage, "critical,keyCertSign"}.
    std::vector<std::pair<int, std::string>> extensions;
    std::vector<X509_EXTENSION*> raw_extensions;  // borrowed, added as they are
};

X509Ptr build_certificate(const CertSpec& spec);
// (field short name, UTF-8 value) pairs in order, e.g. {"C","TW"},{"CN","王小明"}.
X509NamePtr make_name(const std::vector<std::pair<std::string, std::string>>& entries);
Bytes random_bytes(std::size_t n);
Bytes random_serial();                             // 16 octets, positive, first octet non-zero
ASN1_INTEGER* serial_integer(ByteView magnitude);  // caller frees
// Non-critical certificatePolicies with the given dotted OIDs (no qualifiers).
X509ExtensionPtr make_policies_extension(const std::vector<std::string>& oids);

}  // namespace pkibridge::pkcs::certdetail
