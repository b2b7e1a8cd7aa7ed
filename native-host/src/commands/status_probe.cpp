#include "commands/status_probe.hpp"

#include "apdu/apdu_exchanger.hpp"
#include "core/log.hpp"
#include "pcsc/card_connection.hpp"
#include "pcsc/pcsc_error.hpp"
#include "piv/piv_objects.hpp"

namespace pkibridge::host::commands {

StatusProbe::ReaderInfo StatusProbe::describe(pcsc::PcscContext& context,
                                              const pcsc::ReaderState& state, bool may_probe) {
    std::lock_guard lock(mutex_);
    ReaderInfo info;
    const std::string key = state.reader + "|" + pkcs::hex_encode(state.atr);
    if (auto it = card_types_.find(key); it != card_types_.end()) info.card_type = it->second;
    if (auto it = pin_pads_.find(state.reader); it != pin_pads_.end()) info.pin_pad = it->second;
    if (!may_probe || state.exclusive() ||
        (info.pin_pad && (info.card_type || !state.card_present())))
        return info;

    try {
        pcsc::CardConnection connection =
            state.card_present() && !state.mute()
                ? pcsc::CardConnection::connect(context, state.reader)
                : pcsc::CardConnection::connect_direct(context, state.reader);
        if (!info.pin_pad) {
            info.pin_pad = connection.features().pin_pad();
            pin_pads_[state.reader] = *info.pin_pad;
        }
        if (!info.card_type && state.card_present() && !state.mute()) {
            apdu::ApduExchanger exchanger(connection);
            const auto r = exchanger.exchange(piv::select_command());
            info.card_type = r.ok() ? "PIV" : "unknown";
            card_types_[key] = *info.card_type;
        }
    } catch (const std::exception& e) {
        // A busy or just-pulled card: report what is known; the next status tries again.
        log::debug("status probe of " + state.reader + ": " + e.what());
    }
    return info;
}

}  // namespace pkibridge::host::commands
