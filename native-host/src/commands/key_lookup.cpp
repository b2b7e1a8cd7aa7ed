#include "commands/key_lookup.hpp"

#include <algorithm>

#include "commands/certificate_id.hpp"
#include "drivers/pcsc_tokens.hpp"

namespace pkibridge::host::commands {
drivers::PcscTokens open_tokens_or_fail() {
    drivers::PcscTokens found = drivers::open_all_tokens();
    if (found.readers == 0)
        throw CommandError(CommandFailure::NoReader, "no card reader is connected");
    if (found.tokens.empty()) {
        const bool any_card = std::any_of(found.skipped.begin(), found.skipped.end(),
                                          [](const auto& s) { return s.card_present; });
        if (!any_card) throw CommandError(CommandFailure::NoCard, "no card is inserted");
        // A card that is busy, mute or just pulled says more than "unsupported".
        for (const auto& s : found.skipped)
            if (s.error) std::rethrow_exception(s.error);
        const auto& first = *std::find_if(found.skipped.begin(), found.skipped.end(),
                                          [](const auto& s) { return s.card_present; });
        throw CommandError(CommandFailure::UnsupportedCard,
                           "no supported card found: " + first.reader + ": " + first.reason);
    }
    return found;
}

FoundKey find_key_by_id(const CommandContext& context, const std::string& certificate_id) {
    const auto parts = parse_certificate_id(certificate_id);
    if (!parts)
        throw CommandError(
            CommandFailure::BadRequest,
            "argument \"certificateId\" is not a certificate id from list-certificates");
    drivers::PcscTokens found = open_tokens_or_fail();
    for (auto& token : found.tokens) {
        context.check_cancelled();
        if (driver_name(*token) != parts->driver) continue;
        auto key = token->key(parts->key_ref);
        if (key && key->certificate.sha256_fingerprint() == parts->fingerprint)
            return FoundKey{found.context, std::move(token), std::move(*key), certificate_id};
    }
    throw CommandError(CommandFailure::CertificateNotFound,
                       "no inserted card holds the certificate " + certificate_id);
}

std::optional<int> login_preference(const card::TokenKey& key) {
    if (key.authentication_key) return 0;
    const auto eku = key.certificate.extended_key_usage();
    const bool client_auth = std::find(eku.begin(), eku.end(), "clientAuth") != eku.end();
    const bool signs = !key.certificate.has_key_usage_extension() ||
                       key.certificate.has_key_usage("digitalSignature");
    if (client_auth && signs) return 1;
    if (signs) return 2;
    return std::nullopt;
}

FoundKey find_login_key(const CommandContext& context) {
    drivers::PcscTokens found = open_tokens_or_fail();
    for (auto& token : found.tokens) {
        context.check_cancelled();
        std::vector<card::TokenKey> keys = token->keys();
        std::optional<std::size_t> best;
        int best_rank = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const auto rank = login_preference(keys[i]);
            if (rank && (!best || *rank < best_rank)) best = i, best_rank = *rank;
        }
        if (best) {
            std::string id = make_certificate_id(*token, keys[*best]);
            return FoundKey{found.context, std::move(token), std::move(keys[*best]), std::move(id)};
        }
    }
    throw CommandError(CommandFailure::CertificateNotFound,
                       "no inserted card holds a certificate usable for login");
}

}  // namespace pkibridge::host::commands
