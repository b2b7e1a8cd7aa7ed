// PivCard: PIN and PUK commands (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER).
#include "piv_card_internal.hpp"

namespace pkibridge::vcard {

using namespace detail;

ReferenceData& PivCard::reference(std::uint8_t p2) {
    if (p2 == piv::kPinReference) return state_.pin;
    if (p2 == piv::kPukReference) return state_.puk;
    fail(sw::kReferenceNotFound, "unknown key reference");
}

std::uint16_t PivCard::check_reference(ReferenceData& ref, ByteView block) {
    if (ref.blocked()) return sw::kAuthBlocked;
    if (reference_matches(ref, block)) {
        // A correct value resets the counter, as on real cards.
        if (ref.tries_left != ref.max_tries) {
            ref.tries_left = ref.max_tries;
            persist();
        }
        return sw::kOk;
    }
    --ref.tries_left;
    persist();  // before answering: pulling the card must not undo a failed attempt
    return static_cast<std::uint16_t>(sw::kVerifyFailed | (ref.tries_left & 0x0F));
}

Reply PivCard::verify(const CommandApdu& cmd) {
    if (cmd.p1 != 0x00 && cmd.p1 != 0xFF) fail(sw::kWrongP1P2);
    ReferenceData& ref = reference(cmd.p2);
    const bool is_pin = cmd.p2 == piv::kPinReference;
    if (cmd.p1 == 0xFF) {  // reset the security status of this reference (logout)
        if (!cmd.data.empty()) fail(sw::kWrongData);
        if (is_pin) {
            pin_verified_ = false;
            pin_always_ = false;
        }
        return ok();
    }
    if (cmd.data.empty()) {  // status query: verified, or tries left
        if (is_pin && pin_verified_) return ok();
        return status(tries_status(ref));
    }
    if (ref.blocked()) return status(sw::kAuthBlocked);
    if (!valid_reference_block(cmd.data, is_pin)) fail(sw::kWrongData, "malformed PIN block");
    const std::uint16_t result = check_reference(ref, cmd.data);
    if (is_pin) {
        pin_verified_ = result == sw::kOk;
        pin_always_ = pin_verified_;
    }
    return status(result);
}

Reply PivCard::change_reference(const CommandApdu& cmd) {
    if (cmd.p1 != 0x00) fail(sw::kWrongP1P2);
    ReferenceData& ref = reference(cmd.p2);
    const bool is_pin = cmd.p2 == piv::kPinReference;
    if (cmd.data.size() != 2 * kReferenceBlockSize) fail(sw::kWrongData);
    if (ref.blocked()) return status(sw::kAuthBlocked);
    ByteView old_block(cmd.data.data(), kReferenceBlockSize);
    ByteView new_block(cmd.data.data() + kReferenceBlockSize, kReferenceBlockSize);
    if (!valid_reference_block(old_block, is_pin) || !valid_reference_block(new_block, is_pin))
        fail(sw::kWrongData, "malformed PIN block");
    const std::uint16_t result = check_reference(ref, old_block);
    if (result != sw::kOk) {
        if (is_pin) pin_verified_ = pin_always_ = false;
        return status(result);
    }
    ref = make_reference(new_block, ref.max_tries);
    persist();
    return ok();
}

Reply PivCard::reset_retry_counter(const CommandApdu& cmd) {
    if (cmd.p1 != 0x00) fail(sw::kWrongP1P2);
    if (cmd.p2 != piv::kPinReference) fail(sw::kReferenceNotFound);
    if (cmd.data.size() != 2 * kReferenceBlockSize) fail(sw::kWrongData);
    if (state_.puk.blocked()) return status(sw::kAuthBlocked);
    ByteView puk(cmd.data.data(), kReferenceBlockSize);
    ByteView new_pin(cmd.data.data() + kReferenceBlockSize, kReferenceBlockSize);
    if (!valid_reference_block(puk, false) || !valid_reference_block(new_pin, true))
        fail(sw::kWrongData, "malformed PIN block");
    const std::uint16_t result = check_reference(state_.puk, puk);
    if (result != sw::kOk) return status(result);
    state_.pin = make_reference(new_pin, state_.pin.max_tries);
    pin_verified_ = pin_always_ = false;
    persist();
    return ok();
}

}  // namespace pkibridge::vcard
