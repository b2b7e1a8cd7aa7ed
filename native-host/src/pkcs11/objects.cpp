#include "pkcs11/objects.hpp"

#include <cstring>

#include "pkcs11/ck_error.hpp"

namespace pkibridge::host::pkcs11 {
namespace {

// Ends a search however find_objects leaves.
class SearchGuard {
public:
    explicit SearchGuard(Session& session) : session_(session) {}
    ~SearchGuard() { session_.api().C_FindObjectsFinal(session_.handle()); }
    SearchGuard(const SearchGuard&) = delete;
    SearchGuard& operator=(const SearchGuard&) = delete;

private:
    Session& session_;
};

}  // namespace

std::vector<CK_OBJECT_HANDLE> find_objects(Session& session, std::vector<CK_ATTRIBUTE> match) {
    check_rv(session.api().C_FindObjectsInit(session.handle(), match.data(), match.size()),
             "C_FindObjectsInit");
    SearchGuard guard(session);
    std::vector<CK_OBJECT_HANDLE> found;
    CK_OBJECT_HANDLE batch[32];
    while (true) {
        CK_ULONG count = 0;
        check_rv(session.api().C_FindObjects(session.handle(), batch, 32, &count), "C_FindObjects");
        found.insert(found.end(), batch, batch + count);
        if (count < 32 || found.size() > 4096) break;  // a runaway module must not loop forever
    }
    return found;
}

std::optional<pkcs::Bytes> attribute_bytes(Session& session, CK_OBJECT_HANDLE object,
                                           CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE query{type, nullptr, 0};
    CK_RV rv = session.api().C_GetAttributeValue(session.handle(), object, &query, 1);
    if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE) return std::nullopt;
    check_rv(rv, "C_GetAttributeValue");
    if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION) return std::nullopt;
    pkcs::Bytes value(query.ulValueLen);
    query.pValue = value.data();
    rv = session.api().C_GetAttributeValue(session.handle(), object, &query, 1);
    check_rv(rv, "C_GetAttributeValue");
    value.resize(query.ulValueLen);
    return value;
}

std::optional<CK_ULONG> attribute_ulong(Session& session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_TYPE type) {
    const auto bytes = attribute_bytes(session, object, type);
    if (!bytes || bytes->size() != sizeof(CK_ULONG)) return std::nullopt;
    CK_ULONG value = 0;
    std::memcpy(&value, bytes->data(), sizeof value);
    return value;
}

std::optional<bool> attribute_bool(Session& session, CK_OBJECT_HANDLE object,
                                   CK_ATTRIBUTE_TYPE type) {
    const auto bytes = attribute_bytes(session, object, type);
    if (!bytes || bytes->size() != 1) return std::nullopt;
    return (*bytes)[0] != 0;
}

}  // namespace pkibridge::host::pkcs11
