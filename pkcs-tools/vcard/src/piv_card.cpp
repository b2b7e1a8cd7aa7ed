// PivCard: transport (chaining, GET RESPONSE), dispatch, SELECT and the data objects.
#include "pkibridge/vcard/piv_card.hpp"

#include <algorithm>
#include <exception>

#include "piv_card_internal.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/vcard/card_store.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_objects.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace pkibridge::vcard {

namespace ins = piv::ins;

namespace {

constexpr std::size_t kShortMax = 256;

}  // namespace

using namespace detail;

PivCard::PivCard(CardState state, const CardStore* store)
    : state_(std::move(state)), store_(store) {}

Bytes PivCard::atr() {
    // TS T0 TA1 TB1 TC1 TD1 TD2 TA3 TB3: T=1, IFSC 254 (the layout of a contact PIV
    // token); historical bytes: compact TLV with capabilities and "pkibridge".
    Bytes atr = {0x3B, 0xFF, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE,
                 0x15, 0x80, 0x73, 0xC0, 0x21, 0xC0, 0x59};
    for (char c : std::string_view("pkibridge")) atr.push_back(static_cast<std::uint8_t>(c));
    std::uint8_t tck = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) tck ^= atr[i];
    atr.push_back(tck);
    return atr;
}

void PivCard::clear_security_status() {
    pin_verified_ = false;
    pin_always_ = false;
    mgmt_authenticated_ = false;
    mgmt_step_ = MgmtStep::None;
    pkcs::secure_zero(mgmt_secret_.data(), mgmt_secret_.size());
    mgmt_secret_.clear();
}

void PivCard::abort_chain() {
    chaining_ = false;
    pkcs::secure_zero(chain_data_.data(), chain_data_.size());
    chain_data_.clear();
}

void PivCard::reset() {
    selected_ = false;
    clear_security_status();
    abort_chain();
    pending_.clear();
    pending_offset_ = 0;
}

Bytes PivCard::process(ByteView command) {
    CommandApdu cmd;
    Bytes out;
    try {
        cmd = parse_command(command);
        if (cmd.ins == ins::kGetResponse && cmd.cla == 0x00) {
            out = get_response(cmd);
        } else {
            pending_.clear();
            pending_offset_ = 0;
            if ((cmd.cla & ~0x10) != 0) fail(sw::kClaNotSupported, "class not supported");
            if (chaining_ &&
                (cmd.ins != chain_ins_ || cmd.p1 != chain_p1_ || cmd.p2 != chain_p2_)) {
                // A different command abandons the chain (ISO 7816-4 5.1.1.1).
                abort_chain();
            }
            if (cmd.chained()) {
                if (chain_data_.size() + cmd.data.size() > kMaxCommandSize) {
                    abort_chain();
                    fail(sw::kNotEnoughMemory, "chained command too long");
                }
                chaining_ = true;
                chain_ins_ = cmd.ins;
                chain_p1_ = cmd.p1;
                chain_p2_ = cmd.p2;
                chain_data_.insert(chain_data_.end(), cmd.data.begin(), cmd.data.end());
                out = make_response({}, sw::kOk);
            } else {
                if (chaining_) {
                    if (chain_data_.size() + cmd.data.size() > kMaxCommandSize) {
                        abort_chain();
                        fail(sw::kNotEnoughMemory, "chained command too long");
                    }
                    chain_data_.insert(chain_data_.end(), cmd.data.begin(), cmd.data.end());
                    pkcs::secure_zero(cmd.data.data(), cmd.data.size());
                    cmd.data = std::move(chain_data_);
                    chain_data_.clear();
                    chaining_ = false;
                }
                out = send(dispatch(cmd), cmd.ne);
            }
        }
    } catch (const StatusError& e) {
        out = make_response({}, e.sw());
    } catch (const std::exception&) {
        pkcs::drain_openssl_errors();
        out = make_response({}, sw::kUnknown);
    }
    // The data may have carried a PIN, a PUK or key material.
    pkcs::secure_zero(cmd.data.data(), cmd.data.size());
    return out;
}

Bytes PivCard::send(Reply reply, std::size_t ne) {
    const std::size_t limit = ne == 0 ? kShortMax : ne;
    if (reply.sw != sw::kOk || reply.data.size() <= limit)
        return make_response(reply.data, reply.sw);
    pending_ = std::move(reply.data);
    pending_offset_ = limit;
    const std::size_t left = pending_.size() - pending_offset_;
    return make_response(
        ByteView(pending_.data(), limit),
        static_cast<std::uint16_t>(sw::kBytesRemaining | (left >= 256 ? 0 : left)));
}

Bytes PivCard::get_response(const CommandApdu& cmd) {
    if (cmd.p1 != 0 || cmd.p2 != 0) fail(sw::kWrongP1P2);
    if (pending_offset_ >= pending_.size()) {
        pending_.clear();
        pending_offset_ = 0;
        fail(sw::kConditionsNotSatisfied, "no response data waiting");
    }
    const std::size_t want = cmd.ne == 0 ? kShortMax : cmd.ne;
    const std::size_t n = std::min(want, pending_.size() - pending_offset_);
    ByteView chunk(pending_.data() + pending_offset_, n);
    pending_offset_ += n;
    const std::size_t left = pending_.size() - pending_offset_;
    Bytes out = make_response(
        chunk, left == 0
                   ? sw::kOk
                   : static_cast<std::uint16_t>(sw::kBytesRemaining | (left >= 256 ? 0 : left)));
    if (left == 0) {
        pending_.clear();
        pending_offset_ = 0;
    }
    return out;
}

void PivCard::persist() {
    if (!store_) return;
    try {
        store_->save(state_);
    } catch (const std::exception&) {
        fail(sw::kMemoryFailure, "cannot save the card state");
    }
}

void PivCard::persist_key(std::uint8_t slot) {
    if (!store_) return;
    try {
        auto it = state_.keys.find(slot);
        store_->save_key(slot, it == state_.keys.end() ? nullptr : it->second.key.get());
    } catch (const std::exception&) {
        fail(sw::kMemoryFailure, "cannot save the key");
    }
}

void PivCard::require_management() {
    if (!mgmt_authenticated_) fail(sw::kSecurityStatus, "management key not authenticated");
}

Reply PivCard::dispatch(const CommandApdu& cmd) {
    if (cmd.ins == ins::kSelect) return select(cmd);
    if (!selected_) fail(sw::kInsNotSupported, "no application selected");
    switch (cmd.ins) {
        case ins::kGetData:
            return get_data(cmd);
        case ins::kPutData:
            return put_data(cmd);
        case ins::kVerify:
            return verify(cmd);
        case ins::kChangeReference:
            return change_reference(cmd);
        case ins::kResetRetryCounter:
            return reset_retry_counter(cmd);
        case ins::kGeneralAuthenticate:
            return general_authenticate(cmd);
        case ins::kGenerateKeyPair:
            return generate_key_pair(cmd);
        case ins::kImportKey:
            return import_key(cmd);
        case ins::kSetManagementKey:
            return set_management_key(cmd);
        case ins::kSetPinRetries:
            return set_pin_retries(cmd);
        case ins::kReset:
            return factory_reset(cmd);
        case ins::kGetVersion:
            return ok(Bytes(std::begin(kReportedVersion), std::end(kReportedVersion)));
        case ins::kGetSerial: {
            const std::uint32_t s = state_.serial;
            return ok({static_cast<std::uint8_t>(s >> 24), static_cast<std::uint8_t>(s >> 16),
                       static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)});
        }
        default:
            fail(sw::kInsNotSupported, "instruction not supported");
    }
}

Reply PivCard::select(const CommandApdu& cmd) {
    if (cmd.p1 != 0x04) fail(cmd.p1 <= 0x09 ? sw::kFileNotFound : sw::kWrongP1P2);
    if ((cmd.p2 & 0xF3) != 0) fail(sw::kWrongP1P2, "only the first occurrence can be selected");
    const auto& aid = piv::kAid;
    const bool match = cmd.data.size() >= piv::kMinSelectAidLength &&
                       cmd.data.size() <= aid.size() &&
                       std::equal(cmd.data.begin(), cmd.data.end(), aid.begin());
    // Another AID: not on this card; the current selection stays (ISO 7816-4 11.2.2).
    if (!match) fail(sw::kFileNotFound, "application not found");
    // Re-selecting the PIV application keeps its security status (SP 800-73-4 part 2
    // 3.1.1); coming from no selection it starts clean anyway.
    if (!selected_) clear_security_status();
    selected_ = true;
    if ((cmd.p2 & 0x0C) == 0x0C) return ok();
    return ok(application_property_template());
}

Reply PivCard::get_data(const CommandApdu& cmd) {
    if (cmd.p1p2() != 0x3FFF) fail(sw::kWrongP1P2);
    auto tag = tag_from_bytes(expect_single_tlv(cmd.data, piv::tag::kTagList));
    if (!tag) fail(sw::kWrongData, "bad tag in the tag list");
    if (piv::object_requires_pin(*tag) && !pin_verified_) fail(sw::kSecurityStatus);
    auto it = state_.objects.find(*tag);
    if (it == state_.objects.end()) fail(sw::kFileNotFound, "no such object");
    // The discovery object and the biometric group template are returned under their own
    // tag; every other object inside tag 53.
    if (*tag == piv::tag::kDiscovery || *tag == piv::tag::kBiometricGroupTemplate)
        return ok(make_tlv(*tag, it->second));
    return ok(make_tlv(piv::tag::kDataField, it->second));
}

Reply PivCard::put_data(const CommandApdu& cmd) {
    require_management();
    if (cmd.p1p2() != 0x3FFF) fail(sw::kWrongP1P2);
    auto tlvs = parse_tlvs(cmd.data);
    std::uint32_t tag = 0;
    ByteView value;
    if (tlvs.size() == 1 &&
        (tlvs[0].tag == piv::tag::kDiscovery || tlvs[0].tag == piv::tag::kBiometricGroupTemplate)) {
        tag = tlvs[0].tag;
        value = tlvs[0].value;
    } else if (tlvs.size() == 2 && tlvs[0].tag == piv::tag::kTagList &&
               tlvs[1].tag == piv::tag::kDataField) {
        auto t = tag_from_bytes(tlvs[0].value);
        if (!t) fail(sw::kWrongData, "bad tag in the tag list");
        tag = *t;
        value = tlvs[1].value;
    } else {
        fail(sw::kWrongData, "PUT DATA expects 5C tag + 53 data");
    }
    if (!piv::object_is_writable(tag)) fail(sw::kWrongData, "object cannot be written");
    if (value.size() > kMaxObjectSize) fail(sw::kNotEnoughMemory, "object too large");
    if (value.empty()) {
        state_.objects.erase(tag);  // an empty object deletes it (as on a YubiKey)
    } else {
        state_.objects[tag] = Bytes(value.begin(), value.end());
    }
    persist();
    return ok();
}

}  // namespace pkibridge::vcard
