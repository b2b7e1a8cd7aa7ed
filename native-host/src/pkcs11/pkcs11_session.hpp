// One request's use of a PKCS#11 token: C_Login(CKU_USER) with the PIN (NULL on a protected
// authentication path), C_SignInit/C_Sign with the mechanism the key and scheme call for, and
// C_Logout + C_CloseSession at the end. Keys marked CKA_ALWAYS_AUTHENTICATE (OpenSC's PIV
// signing key) get the same PIN again as CKU_CONTEXT_SPECIFIC, so the session keeps the PIN,
// zeroised, until it ends.
#pragma once

#include <optional>
#include <vector>

#include "card/token.hpp"
#include "pkcs11/pkcs11_token.hpp"
#include "pkcs11/session.hpp"

namespace pkibridge::host::pkcs11 {

class Pkcs11Session : public card::TokenSession {
public:
    explicit Pkcs11Session(Pkcs11Token& token);

    void login(const pkcs::SecretString* pin) override;
    pkcs::Bytes sign_digest(const card::TokenKey& key, pkcs::ByteView digest,
                            pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme) override;

private:
    [[noreturn]] void throw_login_failure(CK_RV rv);
    void require_mechanism(CK_MECHANISM_TYPE type);
    void context_login();

    Pkcs11Token& token_;
    Session session_;
    std::optional<pkcs::SecretString> pin_;  // for CKU_CONTEXT_SPECIFIC; wiped on destruction
    std::optional<std::vector<CK_MECHANISM_TYPE>> mechanisms_;
};

}  // namespace pkibridge::host::pkcs11
