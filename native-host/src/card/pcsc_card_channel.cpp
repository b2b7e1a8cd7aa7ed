#include "card/pcsc_card_channel.hpp"

#include <reader.h>

#include "pcsc/pcsc_error.hpp"

namespace pkibridge::host::card {
namespace {

class PcscExclusiveAccess : public ExclusiveAccess {
public:
    explicit PcscExclusiveAccess(pcsc::Transaction transaction)
        : transaction_(std::move(transaction)) {}
    void reset_card_at_end() noexcept override { transaction_.reset_card_at_end(); }

private:
    pcsc::Transaction transaction_;
};

}  // namespace

std::unique_ptr<ExclusiveAccess> PcscCardChannel::exclusive() {
    return std::make_unique<PcscExclusiveAccess>(connection_.begin_transaction());
}

apdu::ResponseApdu PcscCardChannel::verify_on_pin_pad(const pcsc::PinPadVerifyRequest& request) {
    const auto code = connection_.features().code(FEATURE_VERIFY_PIN_DIRECT);
    if (!code)
        throw pcsc::PcscError(pcsc::PcscFailure::NotSupported, 0,
                              "the reader has no PIN pad (FEATURE_VERIFY_PIN_DIRECT)");
    const SecureBytes structure = pcsc::build_pin_verify_structure(request);
    const SecureBytes answer = connection_.control(*code, structure, 64);
    return apdu::parse_response(answer);
}

}  // namespace pkibridge::host::card
