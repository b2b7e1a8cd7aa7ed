// PivCard: GENERAL AUTHENTICATE (private-key operations and management-key authentication).
#include <openssl/crypto.h>

#include "piv_card_internal.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"

namespace pkibridge::vcard {

using namespace detail;

Reply PivCard::general_authenticate(const CommandApdu& cmd) {
    if (cmd.p2 == piv::kManagementKeySlot) return management_authenticate(cmd);
    if (!piv::is_key_slot(cmd.p2)) fail(sw::kWrongP1P2, "not a key reference");
    return private_key_operation(cmd);
}

Reply PivCard::private_key_operation(const CommandApdu& cmd) {
    auto it = state_.keys.find(cmd.p2);
    if (it == state_.keys.end()) fail(sw::kReferenceNotFound, "no key in this slot");
    SlotKey& key = it->second;
    if (cmd.p1 != key.algorithm) fail(sw::kWrongP1P2, "algorithm does not match the key");
    switch (state_.effective_pin_policy(cmd.p2)) {
        case piv::PinPolicy::Never:
            break;
        case piv::PinPolicy::Always:
            if (!pin_always_) fail(sw::kSecurityStatus, "PIN required before each use");
            pin_always_ = false;  // used up by this attempt, whatever its outcome
            break;
        default:
            if (!pin_verified_) fail(sw::kSecurityStatus, "PIN not verified");
    }
    auto tlvs = parse_tlvs(expect_single_tlv(cmd.data, piv::tag::kDynamicAuthTemplate));
    auto response = find_tlv(tlvs, 0x82);
    if (!response || !response->empty()) fail(sw::kWrongData, "response tag 82 must be empty");
    Bytes result;
    if (auto challenge = find_tlv(tlvs, 0x81)) {
        result = is_rsa_algorithm(key.algorithm) ? rsa_raw_private(key.key.get(), *challenge)
                                                 : ecdsa_sign_digest(key.key.get(), *challenge);
    } else if (auto point = find_tlv(tlvs, 0x85); point && is_ec_algorithm(key.algorithm)) {
        result = ecdh_shared_secret(key.key.get(), *point);
    } else {
        fail(sw::kWrongData, "nothing to compute");
    }
    return ok(make_tlv(piv::tag::kDynamicAuthTemplate, make_tlv(0x82, result)));
}

Reply PivCard::management_authenticate(const CommandApdu& cmd) {
    const ManagementKey& mk = state_.management_key;
    const bool alg_ok = cmd.p1 == mk.algorithm ||
                        (cmd.p1 == piv::alg::kTdesDefault && mk.algorithm == piv::alg::kTdes);
    if (!alg_ok) fail(sw::kWrongP1P2, "algorithm does not match the management key");
    const std::size_t block = management_block_size(mk.algorithm);
    auto tlvs = parse_tlvs(expect_single_tlv(cmd.data, piv::tag::kDynamicAuthTemplate));
    auto witness = find_tlv(tlvs, 0x80);
    auto challenge = find_tlv(tlvs, 0x81);
    auto response = find_tlv(tlvs, 0x82);
    const MgmtStep step = mgmt_step_;
    const Bytes secret = mgmt_secret_;
    mgmt_step_ = MgmtStep::None;
    pkcs::secure_zero(mgmt_secret_.data(), mgmt_secret_.size());
    mgmt_secret_.clear();

    auto start = [&](MgmtStep next, std::uint32_t tag, bool encrypt) {
        mgmt_authenticated_ = false;
        mgmt_secret_ = random_bytes(block);
        mgmt_step_ = next;
        Bytes out =
            encrypt ? management_cipher(mk.algorithm, mk.key, mgmt_secret_, true) : mgmt_secret_;
        return ok(make_tlv(piv::tag::kDynamicAuthTemplate, make_tlv(tag, out)));
    };
    // Mutual authentication, step 1: the card sends an encrypted witness.
    if (witness && witness->empty() && !challenge && !response)
        return start(MgmtStep::Witness, 0x80, true);
    // External authentication, step 1: the card sends a plain challenge.
    if (challenge && challenge->empty() && !witness && !response)
        return start(MgmtStep::Challenge, 0x81, false);
    // Mutual authentication, step 2: decrypted witness + the client's challenge.
    if (witness && challenge && !witness->empty()) {
        if (step != MgmtStep::Witness) fail(sw::kConditionsNotSatisfied, "no witness issued");
        if (witness->size() != block || challenge->size() != block) fail(sw::kWrongData);
        if (CRYPTO_memcmp(witness->data(), secret.data(), block) != 0) {
            mgmt_authenticated_ = false;
            fail(sw::kSecurityStatus, "management key authentication failed");
        }
        mgmt_authenticated_ = true;
        Bytes answer = management_cipher(mk.algorithm, mk.key, *challenge, true);
        return ok(make_tlv(piv::tag::kDynamicAuthTemplate, make_tlv(0x82, answer)));
    }
    // External authentication, step 2: the challenge encrypted by the client.
    if (response && !response->empty() && !witness && !challenge) {
        if (step != MgmtStep::Challenge) fail(sw::kConditionsNotSatisfied, "no challenge issued");
        if (response->size() != block) fail(sw::kWrongData);
        Bytes expected = management_cipher(mk.algorithm, mk.key, secret, true);
        if (CRYPTO_memcmp(response->data(), expected.data(), block) != 0) {
            mgmt_authenticated_ = false;
            fail(sw::kSecurityStatus, "management key authentication failed");
        }
        mgmt_authenticated_ = true;
        return ok();
    }
    fail(sw::kWrongData, "unrecognised authentication template");
}

}  // namespace pkibridge::vcard
