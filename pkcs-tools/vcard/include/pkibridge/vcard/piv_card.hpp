// The PIV card application: turns command APDUs into response APDUs. No I/O of its own;
// the vpcd link (CardServer) and the unit tests drive it. Covers SP 800-73-4 part 2
// (SELECT, GET DATA, PUT DATA, VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER,
// GENERAL AUTHENTICATE, GENERATE ASYMMETRIC KEY PAIR), ISO 7816-4 command chaining and
// GET RESPONSE, and the Yubico extensions yubico-piv-tool needs (GET VERSION, GET SERIAL,
// IMPORT KEY, SET MANAGEMENT KEY, SET PIN RETRIES, RESET).
#pragma once

#include <cstdint>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/apdu.hpp"
#include "pkibridge/vcard/card_state.hpp"

namespace pkibridge::vcard {

class CardStore;

// Version that GET VERSION reports: like a YubiKey 5.2.7, the newest firmware whose
// commands this card implements (5.3 added GET METADATA, which this card lacks).
inline constexpr std::uint8_t kReportedVersion[3] = {5, 2, 7};

// Limits: commands assembled from chained APDUs and stored objects.
inline constexpr std::size_t kMaxCommandSize = 16384;
inline constexpr std::size_t kMaxObjectSize = 12288;

class PivCard {
public:
    // store may be null (memory only, for tests); otherwise every change of state is
    // written before the response that reports it.
    explicit PivCard(CardState state, const CardStore* store = nullptr);

    // One command APDU in, one response APDU (data || SW1 SW2) out. Never throws.
    Bytes process(ByteView command);
    // Power off / reset: no application selected, PIN and management key not verified.
    void reset();

    // The ATR: T=1, historical bytes in compact TLV naming the card (not a YubiKey).
    static Bytes atr();

    const CardState& state() const noexcept { return state_; }
    bool selected() const noexcept { return selected_; }
    bool pin_verified() const noexcept { return pin_verified_; }
    bool management_authenticated() const noexcept { return mgmt_authenticated_; }

    struct Reply {
        Bytes data;
        std::uint16_t sw = sw::kOk;
    };

private:
    Reply dispatch(const CommandApdu& cmd);
    Reply select(const CommandApdu& cmd);
    Reply get_data(const CommandApdu& cmd);
    Reply put_data(const CommandApdu& cmd);
    Reply verify(const CommandApdu& cmd);
    Reply change_reference(const CommandApdu& cmd);
    Reply reset_retry_counter(const CommandApdu& cmd);
    Reply general_authenticate(const CommandApdu& cmd);
    Reply management_authenticate(const CommandApdu& cmd);
    Reply private_key_operation(const CommandApdu& cmd);
    Reply generate_key_pair(const CommandApdu& cmd);
    Reply import_key(const CommandApdu& cmd);
    Reply set_management_key(const CommandApdu& cmd);
    Reply set_pin_retries(const CommandApdu& cmd);
    Reply factory_reset(const CommandApdu& cmd);
    Bytes get_response(const CommandApdu& cmd);

    Bytes send(Reply reply, std::size_t ne);  // splits long data with 61xx
    void require_management();
    ReferenceData& reference(std::uint8_t p2);
    // Checks a PIN/PUK block against a reference, updating and saving its counter.
    // Returns 9000, 63Cx or 6983.
    std::uint16_t check_reference(ReferenceData& ref, ByteView block);
    void persist();
    void persist_key(std::uint8_t slot);
    void clear_security_status();
    void abort_chain();

    CardState state_;
    const CardStore* store_;

    bool selected_ = false;
    bool pin_verified_ = false;
    bool pin_always_ = false;  // a VERIFY not yet used by a "PIN always" key
    bool mgmt_authenticated_ = false;
    enum class MgmtStep { None, Witness, Challenge } mgmt_step_ = MgmtStep::None;
    Bytes mgmt_secret_;  // witness or challenge from step one

    // Command chaining: header of the chain and the data gathered so far.
    bool chaining_ = false;
    std::uint8_t chain_ins_ = 0, chain_p1_ = 0, chain_p2_ = 0;
    Bytes chain_data_;
    // Response data not yet fetched with GET RESPONSE.
    Bytes pending_;
    std::size_t pending_offset_ = 0;
};

}  // namespace pkibridge::vcard
