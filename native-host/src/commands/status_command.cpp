// status: versions, PC/SC availability and every reader with its card.
#include "commands/commands.hpp"
#include "config/origin.hpp"
#include "core/version.hpp"
#include "pcsc/pcsc_error.hpp"

namespace pkibridge::host::commands {

nlohmann::json run_status(const config::HostConfig* config, const std::string* config_error,
                          const protocol::Request& request, StatusProbe& probe,
                          bool card_operation_running) {
    nlohmann::json result = {
        {"hostVersion", std::string(kHostVersion)},
        {"protocolVersion", kProtocolVersion},
    };
    if (config_error) result["configError"] = *config_error;
    // The extension registers its HiPKI compatibility script for these patterns and shows
    // them on its diagnostics page (it never passes them on to web pages).
    if (config) {
        nlohmann::json allowed = nlohmann::json::array();
        for (const auto& pattern : config->allowed_origins) allowed.push_back(pattern.text);
        result["allowedOrigins"] = std::move(allowed);
    }
    if (request.origin) {
        const auto parsed = config::parse_origin(*request.origin);
        result["origin"] = {
            {"origin", parsed ? nlohmann::json(parsed->serialize()) : nlohmann::json(nullptr)},
            {"allowed", config && config::origin_allowed(config->allowed_origins, *request.origin)},
        };
    }

    nlohmann::json readers = nlohmann::json::array();
    try {
        pcsc::PcscContext context = pcsc::PcscContext::establish();
        for (const pcsc::ReaderState& state : context.reader_states(context.list_readers())) {
            const auto info = probe.describe(context, state, !card_operation_running);
            nlohmann::json reader = {
                {"name", state.reader},
                {"cardPresent", state.card_present()},
                {"atr", state.card_present() ? nlohmann::json(pkcs::hex_encode(state.atr))
                                             : nlohmann::json(nullptr)},
                {"cardType", state.card_present() && info.card_type
                                 ? nlohmann::json(*info.card_type)
                                 : nlohmann::json(nullptr)},
                {"pinPad", info.pin_pad.value_or(false)},
                {"inUse", state.exclusive()},
            };
            readers.push_back(std::move(reader));
        }
        result["pcsc"] = {{"available", true}};
    } catch (const pcsc::PcscError& e) {
        result["pcsc"] = {{"available", false}, {"error", e.what()}};
        readers = nlohmann::json::array();
    }
    result["readers"] = std::move(readers);
    result["busy"] = card_operation_running;
    return result;
}

}  // namespace pkibridge::host::commands
