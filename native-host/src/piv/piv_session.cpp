#include "piv/piv_session.hpp"

#include "apdu/apdu_error.hpp"
#include "card/card_error.hpp"
#include "core/log.hpp"
#include "piv/piv_objects.hpp"

namespace pkibridge::host::piv {

using card::CardError;
using card::CardFailure;

PivSession::PivSession(PivToken& token, std::unique_ptr<card::ExclusiveAccess> access)
    : token_(token), access_(std::move(access)) {}

PivSession::~PivSession() {
    if (!pin_sent_) return;
    // Do not leave the card verified for whoever comes next.
    try {
        if (token_.exchange(reset_verify_command()).ok()) return;
    } catch (const std::exception& e) {
        log::debug(std::string("PIV logout: ") + e.what());
    }
    access_->reset_card_at_end();
}

namespace {

[[noreturn]] void throw_for_verify(std::uint16_t sw) {
    const PinState state = interpret_verify_status(sw);
    switch (state.kind) {
        case PinState::Kind::WrongOrNotVerified:
            throw CardError(CardFailure::PinIncorrect, "the PIN is incorrect", state.tries_left,
                            sw);
        case PinState::Kind::Blocked:
            throw CardError(CardFailure::PinBlocked, "the PIN is blocked", 0, sw);
        default:
            throw CardError(CardFailure::OperationFailed,
                            "the card rejected the PIN check (SW " + apdu::sw_hex(sw) + ")",
                            std::nullopt, sw);
    }
}

}  // namespace

void PivSession::login(const pkcs::SecretString* pin) {
    if (pin) {
        if (auto problem = pin_format_problem(token_.pin_policy(), pin->value()))
            throw CardError(CardFailure::PinFormat, *problem);
    }
    // Ask for the tries left first: a blocked card must never be sent a PIN.
    const PinState before = interpret_verify_status(token_.exchange(verify_command(nullptr)).sw);
    if (before.kind == PinState::Kind::Blocked)
        throw CardError(CardFailure::PinBlocked, "the PIN is blocked", 0);

    pin_sent_ = true;
    apdu::ResponseApdu r;
    if (pin) {
        const SecureBytes block = pin_block(pin->value());
        r = token_.exchange(verify_command(&block));
    } else {
        r = verify_on_pin_pad();
    }
    if (!r.ok()) throw_for_verify(r.sw);
}

apdu::ResponseApdu PivSession::verify_on_pin_pad() {
    pcsc::PinPadVerifyRequest request;
    const SecureBytes padding(kPinBlockSize, 0xFF);
    request.verify_apdu = {0x00, kInsVerify, 0x00, kPinReference,
                           static_cast<std::uint8_t>(kPinBlockSize)};
    request.verify_apdu.insert(request.verify_apdu.end(), padding.begin(), padding.end());
    const card::PinPolicy policy = token_.pin_policy();
    request.min_digits = static_cast<std::uint8_t>(policy.min_length);
    request.max_digits = static_cast<std::uint8_t>(policy.max_length);
    request.block_size = kPinBlockSize;
    apdu::ResponseApdu r = token_.channel().verify_on_pin_pad(request);
    // Reader-generated status words (CCID): 6400 timeout, 6401 cancelled, 6402 PINs differ,
    // 6403 wrong length.
    if (r.sw == 0x6400)
        throw CardError(CardFailure::PinPadTimeout, "no PIN was entered on the reader in time");
    if (r.sw == 0x6401)
        throw CardError(CardFailure::PinPadCancelled, "PIN entry was cancelled on the reader");
    if (r.sw == 0x6403)
        throw CardError(CardFailure::PinFormat,
                        "the PIN entered on the reader has the wrong length");
    return r;
}

pkcs::Bytes PivSession::sign_digest(const card::TokenKey& key, pkcs::ByteView digest,
                                    pkcs::HashAlgorithm alg, pkcs::SignatureScheme scheme) {
    std::uint8_t key_ref = 0;
    for (const KeySlot& slot : kKeySlots)
        if (slot.id == key.key_ref) key_ref = slot.key_ref;
    if (!key_ref)
        throw CardError(CardFailure::KeyNotFound, "no PIV key slot \"" + key.key_ref + "\"");
    const SignRequest request = prepare_signature(key.certificate, digest, alg, scheme);
    const apdu::ResponseApdu r = token_.exchange(
        general_authenticate_command(request.algorithm, key_ref, request.challenge));
    if (r.sw == 0x6982)
        throw CardError(CardFailure::NotLoggedIn, "the card requires PIN verification to sign",
                        std::nullopt, r.sw);
    if (!r.ok())
        throw CardError(CardFailure::OperationFailed,
                        "the card refused to sign (SW " + apdu::sw_hex(r.sw) + ")", std::nullopt,
                        r.sw);
    return parse_general_authenticate_response(r.data);
}

}  // namespace pkibridge::host::piv
