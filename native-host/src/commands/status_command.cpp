// status: versions, PC/SC availability and every reader with its card.
#include "commands/commands.hpp"
#include "config/origin.hpp"
#include "core/version.hpp"
#include "pcsc/pcsc_error.hpp"
#include "pkcs11/module_registry.hpp"
#include "pkcs11/slot_summary.hpp"

namespace pkibridge::host::commands {
namespace {

// Every PKCS#11 module the host tried: loaded (with its slots, unless a card operation runs)
// or the reason it could not be used.
nlohmann::json pkcs11_status(bool may_probe) {
    nlohmann::json modules = nlohmann::json::array();
    const auto reports = pkcs11::ModuleRegistry::instance().report();
    const auto loaded = pkcs11::ModuleRegistry::instance().modules();
    for (const auto& report : reports) {
        nlohmann::json entry = {{"path", report.spec.path},
                                {"source", std::string(pkcs11::source_name(report.spec.source))},
                                {"loaded", report.loaded}};
        if (!report.loaded) entry["error"] = report.error;
        if (report.loaded) entry["library"] = report.library;
        if (report.loaded && may_probe) {
            for (const auto& module : loaded) {
                if (module->path() != report.spec.path) continue;
                nlohmann::json slots = nlohmann::json::array();
                try {
                    for (const auto& s :
                         pkcs11::recent_slot_summaries(*module, std::chrono::seconds(1)))
                        slots.push_back(
                            {{"slot", s.slot},
                             {"description", s.description},
                             {"tokenPresent", s.token_present},
                             {"tokenLabel", s.token_present ? nlohmann::json(s.token_label)
                                                            : nlohmann::json(nullptr)},
                             {"cardType", s.token_present
                                              ? nlohmann::json("PKCS#11:" + s.token_model)
                                              : nlohmann::json(nullptr)},
                             {"pinPad", s.pin_pad}});
                    entry["slots"] = std::move(slots);
                } catch (const std::exception& e) {
                    entry["slotsError"] = e.what();
                }
            }
        }
        modules.push_back(std::move(entry));
    }
    return modules;
}

}  // namespace

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
    result["pkcs11Modules"] = pkcs11_status(!card_operation_running);
    result["busy"] = card_operation_running;
    return result;
}

}  // namespace pkibridge::host::commands
