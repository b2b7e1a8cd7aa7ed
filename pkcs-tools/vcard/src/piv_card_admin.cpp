// PivCard: commands that need the management key to change keys and settings.
#include "piv_card_internal.hpp"
#include "pkibridge/vcard/card_state.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"

namespace pkibridge::vcard {

using namespace detail;

Reply PivCard::generate_key_pair(const CommandApdu& cmd) {
    require_management();
    if (cmd.p1 != 0x00 || !piv::is_key_slot(cmd.p2)) fail(sw::kWrongP1P2);
    auto tlvs = parse_tlvs(expect_single_tlv(cmd.data, piv::tag::kControlReferenceTemplate));
    auto alg = find_tlv(tlvs, 0x80);
    if (!alg || alg->size() != 1) fail(sw::kWrongData, "algorithm missing");
    const std::uint8_t algorithm = (*alg)[0];
    if (!is_rsa_algorithm(algorithm) && !is_ec_algorithm(algorithm))
        fail(sw::kWrongData, "unsupported algorithm");
    SlotKey slot;
    slot.pin_policy = policy_from(tlvs);
    slot.algorithm = algorithm;
    slot.key = generate_card_key(algorithm);
    Bytes pub = public_key_template(slot.key.get());
    state_.keys[cmd.p2] = std::move(slot);
    persist_key(cmd.p2);
    persist();
    return ok(std::move(pub));
}

Reply PivCard::import_key(const CommandApdu& cmd) {
    require_management();
    if ((!is_rsa_algorithm(cmd.p1) && !is_ec_algorithm(cmd.p1)) || !piv::is_key_slot(cmd.p2))
        fail(sw::kWrongP1P2);
    auto tlvs = parse_tlvs(cmd.data);
    SlotKey slot;
    slot.pin_policy = policy_from(tlvs);
    slot.algorithm = cmd.p1;
    slot.key = import_card_key(cmd.p1, tlvs);
    state_.keys[cmd.p2] = std::move(slot);
    persist_key(cmd.p2);
    persist();
    return ok();
}

Reply PivCard::set_management_key(const CommandApdu& cmd) {
    require_management();
    if (cmd.p1 != 0xFF || (cmd.p2 != 0xFF && cmd.p2 != 0xFE)) fail(sw::kWrongP1P2);
    if (cmd.data.size() < 4) fail(sw::kWrongData);
    const std::uint8_t algorithm = cmd.data[0];
    ByteView key = expect_single_tlv(ByteView(cmd.data).subspan(1), piv::kManagementKeySlot);
    if (!is_management_algorithm(algorithm) || key.size() != management_key_length(algorithm))
        fail(sw::kWrongData, "bad management key");
    state_.management_key = ManagementKey(algorithm, Bytes(key.begin(), key.end()));
    persist();
    return ok();
}

Reply PivCard::set_pin_retries(const CommandApdu& cmd) {
    require_management();
    if (!pin_verified_) fail(sw::kSecurityStatus, "PIN not verified");
    if (cmd.p1 < 1 || cmd.p1 > 15 || cmd.p2 < 1 || cmd.p2 > 15) fail(sw::kWrongP1P2);
    // Like a YubiKey: new counters come with the default PIN and PUK.
    BlankCardOptions defaults;
    Bytes pin = pad_reference(defaults.pin, true);
    Bytes puk = pad_reference(defaults.puk, false);
    state_.pin = make_reference(pin, cmd.p1);
    state_.puk = make_reference(puk, cmd.p2);
    pkcs::secure_zero(pin.data(), pin.size());
    pkcs::secure_zero(puk.data(), puk.size());
    pin_verified_ = pin_always_ = false;
    persist();
    return ok();
}

Reply PivCard::factory_reset(const CommandApdu& cmd) {
    (void)cmd;
    if (!state_.pin.blocked() || !state_.puk.blocked())
        fail(sw::kConditionsNotSatisfied, "reset needs both PIN and PUK blocked");
    const std::uint32_t serial = state_.serial;
    std::vector<std::uint8_t> slots;
    for (const auto& [slot, key] : state_.keys) slots.push_back(slot);
    state_ = make_blank_card(BlankCardOptions{});
    state_.serial = serial;
    state_.objects.clear();
    for (auto slot : slots) persist_key(slot);
    persist();
    clear_security_status();
    return ok();
}

}  // namespace pkibridge::vcard
