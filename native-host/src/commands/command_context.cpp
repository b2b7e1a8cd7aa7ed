#include "commands/command_context.hpp"

#include "config/origin.hpp"

namespace pkibridge::host::commands {

std::string require_allowed_origin(const CommandContext& context, bool allow_caller_extension) {
    const auto& origin = context.request.origin;
    if (!origin)
        throw CommandError(CommandFailure::OriginNotAllowed, "the request carries no origin");
    if (allow_caller_extension && context.caller_origin) {
        std::string own = *origin;
        if (!own.empty() && own.back() == '/') own.pop_back();
        if (own == *context.caller_origin) return own;
    }
    const auto parsed = config::parse_origin(*origin);
    const std::string shown = origin->size() > 200 ? origin->substr(0, 200) + "..." : *origin;
    if (!parsed || !config::origin_allowed(context.config.allowed_origins, *origin))
        throw CommandError(CommandFailure::OriginNotAllowed,
                           "origin \"" + shown + "\" is not allowed to use the card",
                           {{"origin", shown}});
    return parsed->serialize();
}

}  // namespace pkibridge::host::commands
