#include "pkcs11/key_pairing.hpp"

#include "core/log.hpp"
#include "pkcs11/objects.hpp"
#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::host::pkcs11 {
namespace {

std::vector<CK_OBJECT_HANDLE> certificates(Session& session, const pkcs::Bytes* id) {
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE type = CKC_X_509;
    std::vector<CK_ATTRIBUTE> match{attribute(CKA_CLASS, cls),
                                    attribute(CKA_CERTIFICATE_TYPE, type)};
    if (id)
        match.push_back(CK_ATTRIBUTE{CKA_ID, const_cast<unsigned char*>(id->data()), id->size()});
    return find_objects(session, match);
}

bool any_private_key_visible(Session& session) {
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    return !find_objects(session, {attribute(CKA_CLASS, cls)}).empty();
}

std::optional<card::TokenKey> read_key(Session& session, CK_OBJECT_HANDLE cert, bool keys_hidden) {
    const auto id = attribute_bytes(session, cert, CKA_ID);
    if (!id || id->empty()) return std::nullopt;  // nothing to pair by
    if (!keys_hidden && !private_key_handle(session, *id)) return std::nullopt;
    const auto value = attribute_bytes(session, cert, CKA_VALUE);
    if (!value) return std::nullopt;
    try {
        pkcs::Certificate certificate = pkcs::Certificate::from_der(*value);
        if (certificate.is_ca()) return std::nullopt;
        const auto label = attribute_bytes(session, cert, CKA_LABEL);
        card::TokenKey key{pkcs::hex_encode(*id),
                           label ? std::string(label->begin(), label->end()) : std::string(),
                           std::move(certificate), false};
        if (key.label.empty()) key.label = "PKCS#11 key " + key.key_ref;
        return key;
    } catch (const pkcs::PkcsError& e) {
        log::warning("PKCS#11 certificate " + pkcs::hex_encode(*id) +
                     " is not a valid X.509 certificate: " + e.what());
        return std::nullopt;
    }
}

}  // namespace

std::optional<CK_OBJECT_HANDLE> private_key_handle(Session& session, const pkcs::Bytes& id) {
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    const auto found = find_objects(
        session, {attribute(CKA_CLASS, cls),
                  CK_ATTRIBUTE{CKA_ID, const_cast<unsigned char*>(id.data()), id.size()}});
    if (found.empty()) return std::nullopt;
    return found.front();
}

std::vector<card::TokenKey> paired_keys(Session& session, bool login_required) {
    const bool keys_hidden = login_required && !any_private_key_visible(session);
    std::vector<card::TokenKey> keys;
    for (CK_OBJECT_HANDLE cert : certificates(session, nullptr))
        if (auto key = read_key(session, cert, keys_hidden)) keys.push_back(std::move(*key));
    return keys;
}

std::optional<card::TokenKey> paired_key(Session& session, bool login_required,
                                         const std::string& key_ref) {
    pkcs::Bytes id;
    try {
        id = pkcs::hex_decode(key_ref);
    } catch (const pkcs::PkcsError&) {
        return std::nullopt;
    }
    if (id.empty()) return std::nullopt;
    const bool keys_hidden = login_required && !any_private_key_visible(session);
    for (CK_OBJECT_HANDLE cert : certificates(session, &id))
        if (auto key = read_key(session, cert, keys_hidden)) return key;
    return std::nullopt;
}

}  // namespace pkibridge::host::pkcs11
