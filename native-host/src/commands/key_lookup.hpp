// Finding the token and key a request means: by certificate id, or the default login key.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "card/token.hpp"
#include "commands/command_context.hpp"
#include "drivers/pcsc_tokens.hpp"
#include "pcsc/pcsc_context.hpp"

namespace pkibridge::host::commands {

// Every usable token, or an error that says why there is none: NoReader, NoCard or
// UnsupportedCard.
drivers::PcscTokens open_tokens_or_fail();

struct FoundKey {
    std::shared_ptr<pcsc::PcscContext> pcsc;  // outlives the token's card handle (or null)
    std::unique_ptr<card::Token> token;       // keeps the card connection open
    card::TokenKey key;
    std::string certificate_id;
};

// Throws CommandError: BadRequest (malformed id), NoReader, NoCard, UnsupportedCard or
// CertificateNotFound.
FoundKey find_key_by_id(const CommandContext& context, const std::string& certificate_id);

// The key to log in with when the request names none: on the first card (reader order)
// that has one, the card's designated authentication key (PIV 9A), else a key whose
// certificate allows clientAuth, else one with the digitalSignature key usage.
FoundKey find_login_key(const CommandContext& context);

// Rank of a key for login when none is named (lower is better; nullopt: not usable).
std::optional<int> login_preference(const card::TokenKey& key);

}  // namespace pkibridge::host::commands
