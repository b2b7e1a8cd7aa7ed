#include "drivers/pcsc_tokens.hpp"

#include "apdu/apdu_error.hpp"
#include "card/card_error.hpp"
#include "card/pcsc_card_channel.hpp"
#include "core/log.hpp"
#include "drivers/duplicate_keys.hpp"
#include "drivers/pkcs11_drivers.hpp"
#include "pcsc/card_connection.hpp"
#include "pcsc/pcsc_error.hpp"
#include "piv/piv_token.hpp"
#include "pkcs11/pkcs11_tokens.hpp"

namespace pkibridge::host::drivers {

std::unique_ptr<card::Token> open_pcsc_token(pcsc::PcscContext& context,
                                             const std::string& reader) {
    auto channel =
        std::make_unique<card::PcscCardChannel>(pcsc::CardConnection::connect(context, reader));
    return piv::PivToken::open(std::move(channel));
}

void add_pkcs11_tokens(PcscTokens& out) {
    pkcs11::Pkcs11Tokens found = pkcs11::open_pkcs11_tokens();
    out.readers += found.slots;
    if (found.tokens.empty()) return;
    // The preferred driver's tokens come first, so they keep a card both drivers reach.
    auto& first = pkcs11_preferred() ? found.tokens : out.tokens;
    auto& second = pkcs11_preferred() ? out.tokens : found.tokens;
    std::vector<std::unique_ptr<card::Token>> all;
    for (auto* list : {&first, &second})
        for (auto& token : *list) all.push_back(std::move(token));
    hide_duplicate_keys(all);
    out.tokens = std::move(all);
}

PcscTokens open_pcsc_tokens(pcsc::PcscContext& context) {
    PcscTokens out;
    const std::vector<std::string> readers = context.list_readers();
    out.readers = readers.size();
    for (const pcsc::ReaderState& state : context.reader_states(readers)) {
        if (!state.card_present()) {
            out.skipped.push_back({state.reader, "no card", false});
            continue;
        }
        try {
            if (auto token = open_pcsc_token(context, state.reader))
                out.tokens.push_back(std::move(token));
            else
                out.skipped.push_back({state.reader, "unsupported card (no PIV application)"});
        } catch (const pcsc::PcscError& e) {
            if (e.failure() == pcsc::PcscFailure::ServiceUnavailable) throw;
            log::info("reader " + state.reader + " skipped: " + e.what());
            out.skipped.push_back({state.reader, e.what(), true, std::current_exception()});
        } catch (const apdu::MalformedResponse& e) {
            log::info("reader " + state.reader + " skipped: " + e.what());
            out.skipped.push_back({state.reader, e.what(), true, std::current_exception()});
        }
    }
    add_pkcs11_tokens(out);
    return out;
}

PcscTokens open_all_tokens() {
    std::exception_ptr pcsc_unavailable;
    try {
        auto context = std::make_shared<pcsc::PcscContext>(pcsc::PcscContext::establish());
        PcscTokens out = open_pcsc_tokens(*context);
        out.context = std::move(context);
        return out;
    } catch (const pcsc::PcscError& e) {
        if (e.failure() != pcsc::PcscFailure::ServiceUnavailable) throw;
        log::info(std::string("PC/SC unavailable, PKCS#11 tokens only: ") + e.what());
        pcsc_unavailable = std::current_exception();
    }
    PcscTokens out;
    add_pkcs11_tokens(out);
    // No token at all: the missing PC/SC service is the more useful answer than "no card".
    if (out.tokens.empty()) std::rethrow_exception(pcsc_unavailable);
    return out;
}

}  // namespace pkibridge::host::drivers
