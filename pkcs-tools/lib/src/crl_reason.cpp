// CRL reason names and CRL numbers.
#include <openssl/bn.h>

#include <algorithm>
#include <charconv>

#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "x509_util.hpp"

namespace pkibridge::pkcs {
namespace {

struct ReasonName {
    int code;
    std::string_view name;
};
constexpr ReasonName kReasons[] = {
    {kReasonUnspecified, "unspecified"},
    {kReasonKeyCompromise, "keyCompromise"},
    {kReasonCaCompromise, "cACompromise"},
    {kReasonAffiliationChanged, "affiliationChanged"},
    {kReasonSuperseded, "superseded"},
    {kReasonCessationOfOperation, "cessationOfOperation"},
    {kReasonCertificateHold, "certificateHold"},
    {kReasonRemoveFromCrl, "removeFromCRL"},
    {kReasonPrivilegeWithdrawn, "privilegeWithdrawn"},
    {kReasonAaCompromise, "aACompromise"},
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

}  // namespace

std::string_view crl_reason_name(int reason) noexcept {
    if (reason == kReasonNone) return "none";
    for (const auto& r : kReasons)
        if (r.code == reason) return r.name;
    return "unknown";
}

int parse_crl_reason(std::string_view name) {
    if (iequals(name, "none")) return kReasonNone;
    for (const auto& r : kReasons)
        if (iequals(name, r.name)) return r.code;
    int code = 0;
    auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), code);
    if (ec == std::errc() && ptr == name.data() + name.size()) {
        for (const auto& r : kReasons)
            if (r.code == code) return code;
    }
    std::string accepted;
    for (const auto& r : kReasons) accepted += (accepted.empty() ? "" : ", ") + std::string(r.name);
    throw PkcsError(ErrorCode::InvalidArgument, "unknown revocation reason '" + std::string(name) +
                                                    "' (accepted: " + accepted + ")");
}

std::string CrlNumber::hex() const {
    if (magnitude.empty()) return "0";
    return certdetail::serial_to_hex(magnitude);
}

std::string CrlNumber::decimal() const {
    BignumPtr bn(BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), nullptr));
    if (!bn) throw_openssl(ErrorCode::Crypto, "BN_bin2bn failed");
    char* text = BN_bn2dec(bn.get());
    if (text == nullptr) throw_openssl(ErrorCode::Crypto, "BN_bn2dec failed");
    std::string out(text);
    OPENSSL_free(text);
    return out;
}

CrlNumber CrlNumber::from_uint(std::uint64_t value) {
    CrlNumber n;
    for (int shift = 56; shift >= 0; shift -= 8) {
        auto byte = static_cast<std::uint8_t>(value >> shift);
        if (byte != 0 || !n.magnitude.empty()) n.magnitude.push_back(byte);
    }
    return n;
}

std::strong_ordering CrlNumber::operator<=>(const CrlNumber& other) const {
    if (magnitude.size() != other.magnitude.size())
        return magnitude.size() <=> other.magnitude.size();
    return std::lexicographical_compare_three_way(magnitude.begin(), magnitude.end(),
                                                  other.magnitude.begin(), other.magnitude.end());
}

std::string RevocationEntry::serial_hex() const {
    return certdetail::serial_to_hex(serial);
}

std::string_view revocation_status_name(RevocationStatus status) noexcept {
    switch (status) {
        case RevocationStatus::Good:
            return "good";
        case RevocationStatus::Revoked:
            return "revoked";
        case RevocationStatus::Unknown:
            return "unknown";
    }
    return "unknown";
}

}  // namespace pkibridge::pkcs
