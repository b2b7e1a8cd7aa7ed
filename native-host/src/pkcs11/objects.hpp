// Finding objects and reading their attributes in a session.
#pragma once

#include <optional>
#include <vector>

#include "pkcs11/session.hpp"
#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::pkcs11 {

// Every object matching `match` (C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal).
std::vector<CK_OBJECT_HANDLE> find_objects(Session& session, std::vector<CK_ATTRIBUTE> match);

// The value of a byte-string attribute; nullopt when the object does not have it or hides it.
std::optional<pkcs::Bytes> attribute_bytes(Session& session, CK_OBJECT_HANDLE object,
                                           CK_ATTRIBUTE_TYPE type);
std::optional<CK_ULONG> attribute_ulong(Session& session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_TYPE type);
std::optional<bool> attribute_bool(Session& session, CK_OBJECT_HANDLE object,
                                   CK_ATTRIBUTE_TYPE type);

// A template entry pointing at `value` (which must outlive the search).
template <typename T>
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, T& value) {
    return CK_ATTRIBUTE{type, &value, sizeof value};
}

}  // namespace pkibridge::host::pkcs11
