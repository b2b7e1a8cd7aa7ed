#include "pcsc/card_connection.hpp"

#include <chrono>
#include <thread>

#include <reader.h>

#include "apdu/apdu_error.hpp"
#include "core/log.hpp"
#include "pcsc/pcsc_error.hpp"

namespace pkibridge::host::pcsc {

Transaction::~Transaction() {
    if (card_) SCardEndTransaction(card_, disposition_);
}

CardConnection CardConnection::connect(PcscContext& context, const std::string& reader) {
    SCARDHANDLE card = 0;
    DWORD protocol = 0;
    check(SCardConnect(context.handle(), reader.c_str(), SCARD_SHARE_SHARED,
                       SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol),
          "cannot connect to the card in \"" + reader + "\"");
    return CardConnection(card, protocol, reader);
}

CardConnection CardConnection::connect_direct(PcscContext& context, const std::string& reader) {
    SCARDHANDLE card = 0;
    DWORD protocol = 0;
    check(SCardConnect(context.handle(), reader.c_str(), SCARD_SHARE_DIRECT, 0, &card, &protocol),
          "cannot open the reader \"" + reader + "\"");
    return CardConnection(card, protocol, reader);
}

CardConnection::CardConnection(CardConnection&& other) noexcept
    : card_(other.card_),
      protocol_(other.protocol_),
      reader_(std::move(other.reader_)),
      features_(std::move(other.features_)) {
    other.card_ = 0;
}

CardConnection::~CardConnection() {
    if (card_) SCardDisconnect(card_, SCARD_LEAVE_CARD);
}

void CardConnection::fail(LONG rv, std::string_view what) {
    // Readers report a pulled card in many ways (comm errors, unresponsive card);
    // asking for the status tells what really happened.
    // pcscd notices a removal only at its next presence poll (about 0.4 s), so a command
    // sent just after the card left fails (SCARD_E_NOT_TRANSACTED) while the status still
    // says "present": keep asking for a little while before calling the card unresponsive.
    const PcscFailure failure = classify(rv);
    if (failure == PcscFailure::UnresponsiveCard || failure == PcscFailure::Other) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
        for (;;) {
            DWORD state = 0, protocol = 0, atr_len = MAX_ATR_SIZE, name_len = 0;
            BYTE atr[MAX_ATR_SIZE];
            const LONG status =
                SCardStatus(card_, nullptr, &name_len, &state, &protocol, atr, &atr_len);
            if (status != SCARD_S_SUCCESS) throw_pcsc(status, what);
            if (!(state & SCARD_PRESENT)) throw_pcsc(SCARD_W_REMOVED_CARD, what);
            if (std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    throw_pcsc(rv, what);
}

pkcs::Bytes CardConnection::transmit(pkcs::ByteView command) {
    const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    SecureBytes response(MAX_BUFFER_SIZE_EXTENDED);
    DWORD length = static_cast<DWORD>(response.size());
    const LONG rv = SCardTransmit(card_, pci, command.data(), static_cast<DWORD>(command.size()),
                                  nullptr, response.data(), &length);
    if (rv != SCARD_S_SUCCESS) fail(rv, "sending a command to the card failed");
    if (length > response.size())
        throw apdu::MalformedResponse("reader returned an oversized response");
    return pkcs::Bytes(response.begin(), response.begin() + length);
}

SecureBytes CardConnection::control(DWORD code, pkcs::ByteView input, std::size_t max_output) {
    SecureBytes output(max_output);
    DWORD returned = 0;
    const LONG rv = SCardControl(card_, code, input.data(), static_cast<DWORD>(input.size()),
                                 output.data(), static_cast<DWORD>(output.size()), &returned);
    if (rv != SCARD_S_SUCCESS) fail(rv, "reader control command failed");
    output.resize(std::min<std::size_t>(returned, output.size()));
    return output;
}

const ReaderFeatures& CardConnection::features() {
    if (!features_) {
        features_.emplace();
        try {
            const SecureBytes raw = control(CM_IOCTL_GET_FEATURE_REQUEST, {}, 256);
            features_ = parse_reader_features(raw);
        } catch (const PcscError& e) {
            // Most readers without a PIN pad (and vpcd) refuse the request: no features.
            if (e.failure() == PcscFailure::CardRemoved ||
                e.failure() == PcscFailure::ServiceUnavailable)
                throw;
            log::debug("reader " + reader_ + " reports no PC/SC features: " + e.what());
        } catch (const apdu::MalformedResponse& e) {
            log::warning("reader " + reader_ + " sent a malformed feature list: " + e.what());
        }
    }
    return *features_;
}

pkcs::Bytes CardConnection::atr() {
    DWORD state = 0, protocol = 0, atr_len = MAX_ATR_SIZE, name_len = 0;
    BYTE atr[MAX_ATR_SIZE];
    check(SCardStatus(card_, nullptr, &name_len, &state, &protocol, atr, &atr_len),
          "the card in \"" + reader_ + "\" is not available");
    if (!(state & SCARD_PRESENT)) throw_pcsc(SCARD_W_REMOVED_CARD, "the card was removed");
    return pkcs::Bytes(atr, atr + std::min<DWORD>(atr_len, MAX_ATR_SIZE));
}

Transaction CardConnection::begin_transaction() {
    LONG rv = SCardBeginTransaction(card_);
    if (rv == static_cast<LONG>(SCARD_W_RESET_CARD)) {
        DWORD protocol = 0;
        check(SCardReconnect(card_, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                             SCARD_LEAVE_CARD, &protocol),
              "cannot reconnect to the reset card");
        protocol_ = protocol;
        rv = SCardBeginTransaction(card_);
    }
    if (rv != SCARD_S_SUCCESS) fail(rv, "cannot get exclusive access to the card");
    return Transaction(card_);
}

}  // namespace pkibridge::host::pcsc
