#include "commands/certificate_id.hpp"

#include <algorithm>
#include <cctype>

namespace pkibridge::host::commands {

std::string driver_name(const card::Token& token) {
    std::string name = token.description().card_type;
    // "PKCS#11:<manufacturer>/<model>" -> "pkcs11": one driver, whatever the module.
    if (name.rfind("PKCS#11:", 0) == 0) return "pkcs11";
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

std::string make_certificate_id(const card::Token& token, const card::TokenKey& key) {
    return key.certificate.sha256_fingerprint() + ":" + driver_name(token) + ":" + key.key_ref;
}

std::optional<CertificateIdParts> parse_certificate_id(std::string_view id) {
    const std::size_t first = id.find(':');
    if (first == std::string_view::npos) return std::nullopt;
    const std::size_t second = id.find(':', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    CertificateIdParts parts{std::string(id.substr(0, first)),
                             std::string(id.substr(first + 1, second - first - 1)),
                             std::string(id.substr(second + 1))};
    auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    if (parts.fingerprint.size() != 64 ||
        !std::all_of(parts.fingerprint.begin(), parts.fingerprint.end(), is_hex))
        return std::nullopt;
    auto token_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '#';
    };
    if (parts.driver.empty() || parts.key_ref.empty() || parts.key_ref.size() > 128 ||
        !std::all_of(parts.driver.begin(), parts.driver.end(), token_char) ||
        !std::all_of(parts.key_ref.begin(), parts.key_ref.end(), token_char))
        return std::nullopt;
    return parts;
}

}  // namespace pkibridge::host::commands
