#include "pkcs11/pkcs11_session.hpp"

#include <algorithm>

#include "card/card_error.hpp"
#include "core/log.hpp"
#include "pkcs11/ck_error.hpp"
#include "pkcs11/key_pairing.hpp"
#include "pkcs11/objects.hpp"
#include "pkcs11/sign_mechanism.hpp"
#include "pkcs11/token_flags.hpp"
#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::host::pkcs11 {

using card::CardError;
using card::CardFailure;

namespace {

CK_UTF8CHAR_PTR pin_bytes(const pkcs::SecretString& pin) {
    return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.value().data()));
}

}  // namespace

Pkcs11Session::Pkcs11Session(Pkcs11Token& token)
    : token_(token), session_(token.module(), token.slot()) {}

void Pkcs11Session::throw_login_failure(CK_RV rv) {
    if (rv == CKR_PIN_INCORRECT) {
        // The flags after the failure say whether that was the last try.
        card::PinStatus after;
        try {
            after = pin_status_from_flags(token_.token_info().flags);
        } catch (const CardError&) {
        }
        if (after.blocked) throw CardError(CardFailure::PinBlocked, "the PIN is blocked", 0);
        throw CardError(CardFailure::PinIncorrect, "the PIN is incorrect", after.tries_left);
    }
    throw_rv(rv, "C_Login");
}

void Pkcs11Session::login(const pkcs::SecretString* pin) {
    if (pin) {
        if (auto problem = pin_format_problem(token_.pin_policy(), pin->value()))
            throw CardError(CardFailure::PinFormat, *problem);
    } else if (!token_.protected_path()) {
        throw CardError(CardFailure::PinFormat, "the token needs a PIN and has no PIN pad");
    }
    // A blocked token is never sent a PIN.
    if (pin_status_from_flags(token_.token_info().flags).blocked)
        throw CardError(CardFailure::PinBlocked, "the PIN is blocked", 0);

    auto user_login = [&] {
        return pin ? session_.api().C_Login(session_.handle(), CKU_USER, pin_bytes(*pin),
                                            pin->size())
                   : session_.api().C_Login(session_.handle(), CKU_USER, nullptr, 0);
    };
    CK_RV rv = user_login();
    if (rv == CKR_USER_ALREADY_LOGGED_IN) {
        // Login state is per application: a logout that failed earlier must not let this
        // request through without checking its PIN.
        session_.api().C_Logout(session_.handle());
        rv = user_login();
    }
    if (rv != CKR_OK) throw_login_failure(rv);
    session_.logged_in();
    if (pin) pin_.emplace(std::string(pin->value()));
}

void Pkcs11Session::require_mechanism(CK_MECHANISM_TYPE type) {
    if (!mechanisms_) {
        CK_ULONG count = 0;
        CK_RV rv = session_.api().C_GetMechanismList(token_.slot(), nullptr, &count);
        std::vector<CK_MECHANISM_TYPE> list(count);
        if (rv == CKR_OK && count)
            rv = session_.api().C_GetMechanismList(token_.slot(), list.data(), &count);
        if (rv != CKR_OK) {
            if (token_gone(rv)) throw_rv(rv, "C_GetMechanismList");
            log::debug("C_GetMechanismList: " + rv_name(rv) + "; trying the mechanism anyway");
            mechanisms_.emplace();
            return;
        }
        list.resize(count);
        mechanisms_ = std::move(list);
    }
    if (!mechanisms_->empty() &&
        std::find(mechanisms_->begin(), mechanisms_->end(), type) == mechanisms_->end())
        throw CardError(CardFailure::UnsupportedKey,
                        "the token does not offer " + mechanism_name(type));
}

void Pkcs11Session::context_login() {
    CK_RV rv;
    if (pin_)
        rv = session_.api().C_Login(session_.handle(), CKU_CONTEXT_SPECIFIC, pin_bytes(*pin_),
                                    pin_->size());
    else
        rv = session_.api().C_Login(session_.handle(), CKU_CONTEXT_SPECIFIC, nullptr, 0);
    if (rv != CKR_OK) throw_login_failure(rv);
}

pkcs::Bytes Pkcs11Session::sign_digest(const card::TokenKey& key, pkcs::ByteView digest,
                                       pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme) {
    pkcs::Bytes id;
    try {
        id = pkcs::hex_decode(key.key_ref);
    } catch (const pkcs::PkcsError&) {
        throw CardError(CardFailure::KeyNotFound, "no PKCS#11 key \"" + key.key_ref + "\"");
    }
    const auto handle = private_key_handle(session_, id);
    if (!handle)
        throw CardError(CardFailure::KeyNotFound,
                        "the token has no private key with CKA_ID " + key.key_ref);
    const auto key_type = attribute_ulong(session_, *handle, CKA_KEY_TYPE);
    if (!key_type) throw CardError(CardFailure::UnsupportedKey, "the key's type is unknown");

    SignMechanism m = sign_mechanism(*key_type, digest, alg, scheme);
    require_mechanism(m.type);
    CK_MECHANISM mechanism = m.mechanism();
    check_rv(session_.api().C_SignInit(session_.handle(), &mechanism, *handle), "C_SignInit");
    if (attribute_bool(session_, *handle, CKA_ALWAYS_AUTHENTICATE).value_or(false)) context_login();

    // One C_Sign with a buffer for the largest signature (RSA-16384 or EC P-521 raw) avoids
    // the size query that some modules mishandle after context-specific login.
    pkcs::Bytes signature(2048);
    CK_ULONG length = signature.size();
    check_rv(session_.api().C_Sign(session_.handle(), m.input.data(), m.input.size(),
                                   signature.data(), &length),
             "C_Sign");
    signature.resize(length);
    if (*key_type == CKK_EC) return pkcs::ecdsa_raw_to_der(signature);
    return signature;
}

}  // namespace pkibridge::host::pkcs11
