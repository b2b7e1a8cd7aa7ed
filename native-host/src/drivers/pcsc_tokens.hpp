// Finds the cards in the PC/SC readers that a driver understands (PIV today) and opens
// them as tokens. Readers whose card cannot be used are reported, not fatal.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "card/token.hpp"
#include "pcsc/pcsc_context.hpp"

namespace pkibridge::host::drivers {

struct SkippedReader {
    std::string reader;
    std::string reason;  // e.g. "no card", "unsupported card (no PIV application)"
    bool card_present = true;
    std::exception_ptr error;  // the PC/SC or card error that made the card unusable, if any
};

struct PcscTokens {
    // First member, so it is released after the tokens whose card handles belong to it.
    // Null when PC/SC is unavailable and only PKCS#11 tokens are listed.
    std::shared_ptr<pcsc::PcscContext> context;
    std::vector<std::unique_ptr<card::Token>> tokens;  // in reader order
    std::vector<SkippedReader> skipped;
    std::size_t readers = 0;  // how many readers there were
};

// Opens the card in `reader` with the first driver that accepts it; nullptr when none does.
// Throws PcscError (NoCard, CardRemoved, SharingViolation, ...).
std::unique_ptr<card::Token> open_pcsc_token(pcsc::PcscContext& context, const std::string& reader);

// Appends the tokens of the configured PKCS#11 modules (drivers/pkcs11_drivers.hpp) and
// lists each certificate once (drivers/duplicate_keys.hpp); their slots count as readers.
void add_pkcs11_tokens(PcscTokens& out);

// Every usable card in every reader, then every PKCS#11 token. Only a PC/SC service failure
// throws.
PcscTokens open_pcsc_tokens(pcsc::PcscContext& context);

// The same, establishing the PC/SC context itself. Without a PC/SC service (no pcscd) the
// PKCS#11 tokens are still listed (software tokens need no reader); the PC/SC error is
// thrown when no PKCS#11 token is present either.
PcscTokens open_all_tokens();

}  // namespace pkibridge::host::drivers
