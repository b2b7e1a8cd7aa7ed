// list-certificates: every certificate on every supported card.
#include "commands/certificate_id.hpp"
#include "commands/certificate_view.hpp"
#include "commands/commands.hpp"
#include "commands/key_lookup.hpp"
#include "protocol/arguments.hpp"

namespace pkibridge::host::commands {

nlohmann::json run_list_certificates(const CommandContext& context) {
    protocol::parse_no_arguments(context.request.arguments, context.request.id,
                                 "list-certificates");
    drivers::PcscTokens found = open_tokens_or_fail();

    nlohmann::json certificates = nlohmann::json::array();
    for (auto& token : found.tokens) {
        context.check_cancelled();
        for (const card::TokenKey& key : token->keys())
            certificates.push_back(
                certificate_entry(*token, key, make_certificate_id(*token, key)));
    }
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& s : found.skipped)
        if (s.card_present) skipped.push_back({{"reader", s.reader}, {"reason", s.reason}});
    return {{"certificates", std::move(certificates)}, {"skippedReaders", std::move(skipped)}};
}

}  // namespace pkibridge::host::commands
