// An owned SCARDHANDLE to one reader: APDU transmission, reader control codes, presence
// checks and transactions (exclusive access for multi-APDU operations).
#pragma once

#include <winscard.h>

#include <optional>
#include <string>

#include "apdu/apdu_channel.hpp"
#include "core/secure_bytes.hpp"
#include "pcsc/pcsc_context.hpp"
#include "pcsc/reader_features.hpp"

namespace pkibridge::host::pcsc {

class CardConnection;

// Holds SCardBeginTransaction until destroyed. reset_card_at_end() makes the end reset the
// card, which clears its security state (e.g. a verified PIN) for everyone.
class Transaction {
public:
    Transaction(Transaction&& other) noexcept
        : card_(other.card_), disposition_(other.disposition_) {
        other.card_ = 0;
    }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();
    void reset_card_at_end() noexcept { disposition_ = SCARD_RESET_CARD; }

private:
    friend class CardConnection;
    explicit Transaction(SCARDHANDLE card) : card_(card) {}
    SCARDHANDLE card_;
    DWORD disposition_ = SCARD_LEAVE_CARD;
};

class CardConnection : public apdu::ApduChannel {
public:
    // Shared access to the card in `reader`, T=0 or T=1. Throws PcscError (NoCard, ...).
    static CardConnection connect(PcscContext& context, const std::string& reader);
    // Access to the reader itself (no card needed), for control codes.
    static CardConnection connect_direct(PcscContext& context, const std::string& reader);

    CardConnection(CardConnection&& other) noexcept;
    CardConnection& operator=(CardConnection&&) = delete;
    CardConnection(const CardConnection&) = delete;
    ~CardConnection() override;

    const std::string& reader() const noexcept { return reader_; }

    // One APDU exchange. A failure caused by the card being pulled throws CardRemoved.
    pkcs::Bytes transmit(pkcs::ByteView command) override;

    // SCardControl; the output buffer is wiped before it is released.
    SecureBytes control(DWORD code, pkcs::ByteView input, std::size_t max_output = 1024);

    // The reader's PC/SC part 10 features, asked once and remembered; empty when the reader
    // (or its driver, like vpcd) does not answer CM_IOCTL_GET_FEATURE_REQUEST.
    const ReaderFeatures& features();

    // Present card's ATR; throws PcscError(CardRemoved/NoCard/...) otherwise.
    pkcs::Bytes atr();
    void ensure_present() { (void)atr(); }

    // Begins exclusive access. If another application reset the card since we connected,
    // reconnects first (our card-side state is gone either way).
    Transaction begin_transaction();

private:
    CardConnection(SCARDHANDLE card, DWORD protocol, std::string reader)
        : card_(card), protocol_(protocol), reader_(std::move(reader)) {}
    [[noreturn]] void fail(LONG rv, std::string_view what);

    SCARDHANDLE card_ = 0;
    DWORD protocol_ = 0;
    std::string reader_;
    std::optional<ReaderFeatures> features_;
};

}  // namespace pkibridge::host::pcsc
