// CardChannel over a PC/SC connection.
#pragma once

#include "card/card_channel.hpp"
#include "pcsc/card_connection.hpp"

namespace pkibridge::host::card {

class PcscCardChannel : public CardChannel {
public:
    explicit PcscCardChannel(pcsc::CardConnection connection)
        : connection_(std::move(connection)) {}

    pkcs::Bytes transmit(pkcs::ByteView command) override { return connection_.transmit(command); }
    const std::string& reader_name() const override { return connection_.reader(); }
    pkcs::Bytes atr() override { return connection_.atr(); }
    std::unique_ptr<ExclusiveAccess> exclusive() override;
    bool has_pin_pad() override { return connection_.features().pin_pad(); }
    apdu::ResponseApdu verify_on_pin_pad(const pcsc::PinPadVerifyRequest& request) override;

private:
    pcsc::CardConnection connection_;
};

}  // namespace pkibridge::host::card
