#include "commands/pin_flow.hpp"

#include "card/card_error.hpp"
#include "commands/certificate_view.hpp"
#include "core/log.hpp"
#include "protocol/error_code.hpp"

namespace pkibridge::host::commands {

nlohmann::json pin_blocked_details(const card::TokenKey& key) {
    nlohmann::json details = {
        {"triesLeft", 0}, {"caKind", std::string(pkcs::ca_kind_name(key.certificate.ca_kind()))}};
    if (key.certificate.ca_kind() == pkcs::CaKind::Moica) {
        details["unblockUrl"] = "https://moica.nat.gov.tw/unblockcard.html";
        details["unblockHint"] = "Unblock the card with its PUK at the MOICA unblock page.";
    } else {
        details["unblockHint"] = "Unblock the card with its PUK as the card issuer describes.";
    }
    return details;
}

namespace {

[[noreturn]] void throw_blocked(const card::TokenKey& key) {
    throw CommandError(CommandFailure::PinBlocked,
                       "the card's PIN is blocked after too many wrong attempts",
                       pin_blocked_details(key));
}

}  // namespace

void with_pin(const CommandContext& context, const FoundKey& found,
              const std::function<void(card::TokenSession&)>& operation) {
    card::Token& token = *found.token;
    context.check_cancelled();
    const card::PinStatus status = token.pin_status();
    if (status.blocked) throw_blocked(found.key);

    const card::PinPolicy policy = token.pin_policy();
    const bool pin_pad = token.description().pin_pad;
    std::optional<int> tries_left = status.tries_left;
    std::optional<protocol::ErrorCode> last_error;

    while (true) {
        context.check_cancelled();
        nlohmann::json event = {
            {"event", "pin-required"},
            {"requestId", context.request.id},
            {"origin", context.request.origin.value_or("")},
            {"reader", token.description().reader},
            {"certificate", certificate_summary(found.key, found.certificate_id)},
            {"triesLeft", tries_left ? nlohmann::json(*tries_left) : nlohmann::json(nullptr)},
            {"pinPad", pin_pad},
            {"pinFormat",
             {{"minLength", policy.min_length},
              {"maxLength", policy.max_length},
              {"digitsOnly", policy.digits_only}}},
        };
        if (last_error) event["lastError"] = protocol::error_code_name(*last_error);

        std::optional<pkcs::SecretString> pin;
        if (pin_pad) {
            context.events.emit(event);  // the user types on the reader; nothing to wait for
        } else {
            pin = context.pins.wait(
                context.request.id, policy, context.config.pin_timeout, context.cancellation,
                [&token] { token.ensure_present(); }, context.presence_poll,
                [&] { context.events.emit(event); });
        }
        context.check_cancelled();
        try {
            auto session = token.open_session();
            session->login(pin ? &*pin : nullptr);
            pin.reset();  // wiped as soon as the card has it
            operation(*session);
            return;
        } catch (const card::CardError& e) {
            switch (e.failure()) {
                case card::CardFailure::PinIncorrect:
                    if (e.tries_left() && *e.tries_left() <= 0) throw_blocked(found.key);
                    log::info("wrong PIN; tries left: " +
                              (e.tries_left() ? std::to_string(*e.tries_left()) : "unknown"));
                    tries_left = e.tries_left();
                    last_error = protocol::ErrorCode::PinIncorrect;
                    continue;
                case card::CardFailure::PinBlocked:
                    throw_blocked(found.key);
                case card::CardFailure::PinFormat:  // e.g. a PIN pad entry of the wrong length
                    last_error = protocol::ErrorCode::PinFormat;
                    continue;
                case card::CardFailure::PinPadCancelled:
                    throw CommandError(CommandFailure::Cancelled, e.what());
                case card::CardFailure::PinPadTimeout:
                    throw CommandError(CommandFailure::Timeout, e.what());
                default:
                    throw;
            }
        }
    }
}

}  // namespace pkibridge::host::commands
