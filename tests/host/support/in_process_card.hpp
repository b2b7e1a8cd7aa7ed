// Test support: a real virtual PIV card (pkibridge_vcard's PivCard, provisioned from the
// test CA exactly as `pkcs-tool vcard provision` does) behind the host's CardChannel, so
// the PIV driver can be exercised in-process. Records every command it receives.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "card/card_channel.hpp"
#include "pkibridge/pkcs/test_ca.hpp"
#include "pkibridge/vcard/card_state.hpp"
#include "pkibridge/vcard/piv_card.hpp"

namespace host_test {

using pkibridge::pkcs::Bytes;
using pkibridge::pkcs::ByteView;

// A test CA shared by the whole test process (key generation is slow under sanitizers).
pkibridge::pkcs::TestCa& shared_ca();

struct ProvisionedCard {
    pkibridge::pkcs::IssuedPair pair;
    pkibridge::vcard::CardState state;
};
// A card with the pair of `key` (EC P-256 or RSA-2048) in 9C (sign) and 9A (auth),
// PIN 123456 with 3 tries. Cached per key kind; callers get a fresh copy of the state.
ProvisionedCard provisioned_card(pkibridge::pkcs::KeySpec key);

class InProcessChannel : public pkibridge::host::card::CardChannel {
public:
    explicit InProcessChannel(pkibridge::vcard::PivCard& card) : card_(card) {}

    Bytes transmit(ByteView command) override;
    const std::string& reader_name() const override { return name_; }
    Bytes atr() override;
    std::unique_ptr<pkibridge::host::card::ExclusiveAccess> exclusive() override;
    bool has_pin_pad() override { return false; }
    pkibridge::host::apdu::ResponseApdu verify_on_pin_pad(
        const pkibridge::host::pcsc::PinPadVerifyRequest&) override;

    bool present = true;          // false: behaves like a pulled card
    std::vector<Bytes> commands;  // every command APDU received
    int resets = 0;

    // VERIFY commands that carried a PIN (Lc > 0), i.e. attempts that cost a try.
    int pin_verifications() const;

private:
    pkibridge::vcard::PivCard& card_;
    std::string name_ = "In-process virtual PIV card";
};

}  // namespace host_test
