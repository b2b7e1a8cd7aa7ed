#include "pcsc/pcsc_context.hpp"

#include <pcsclite.h>

#include <cstring>

#include "pcsc/pcsc_error.hpp"

namespace pkibridge::host::pcsc {

PcscContext PcscContext::establish() {
    SCARDCONTEXT context = 0;
    check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context),
          "cannot reach the PC/SC service (pcscd)");
    PcscContext out(context);
    out.owned_ = true;
    return out;
}

PcscContext::PcscContext(PcscContext&& other) noexcept
    : context_(other.context_), owned_(other.owned_) {
    other.owned_ = false;
    other.context_ = 0;
}

PcscContext& PcscContext::operator=(PcscContext&& other) noexcept {
    if (this != &other) {
        if (owned_) SCardReleaseContext(context_);
        context_ = other.context_;
        owned_ = other.owned_;
        other.owned_ = false;
        other.context_ = 0;
    }
    return *this;
}

PcscContext::~PcscContext() {
    if (owned_) SCardReleaseContext(context_);
}

bool PcscContext::valid() const noexcept {
    return owned_ && SCardIsValidContext(context_) == SCARD_S_SUCCESS;
}

std::vector<std::string> PcscContext::list_readers() {
    DWORD size = 0;
    LONG rv = SCardListReaders(context_, nullptr, nullptr, &size);
    if (rv == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) return {};
    check(rv, "cannot list the card readers");
    std::string buffer(size, '\0');
    rv = SCardListReaders(context_, nullptr, buffer.data(), &size);
    if (rv == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) return {};
    check(rv, "cannot list the card readers");
    buffer.resize(std::min<std::size_t>(size, buffer.size()));
    // A multi-string: names separated by NUL, ended by an empty name.
    std::vector<std::string> readers;
    std::size_t pos = 0;
    while (pos < buffer.size()) {
        const std::size_t end = buffer.find('\0', pos);
        const std::size_t stop = end == std::string::npos ? buffer.size() : end;
        if (stop == pos) break;
        readers.emplace_back(buffer.substr(pos, stop - pos));
        pos = stop + 1;
    }
    return readers;
}

namespace {

std::vector<SCARD_READERSTATE> to_native(const std::vector<ReaderState>& states) {
    std::vector<SCARD_READERSTATE> native(states.size());
    for (std::size_t i = 0; i < states.size(); ++i) {
        std::memset(&native[i], 0, sizeof native[i]);
        native[i].szReader = states[i].reader.c_str();
        native[i].dwCurrentState = states[i].event_state & ~SCARD_STATE_CHANGED;
    }
    return native;
}

void from_native(const std::vector<SCARD_READERSTATE>& native, std::vector<ReaderState>& states) {
    for (std::size_t i = 0; i < states.size(); ++i) {
        states[i].event_state = native[i].dwEventState;
        const DWORD atr_len = std::min<DWORD>(native[i].cbAtr, sizeof native[i].rgbAtr);
        if (native[i].dwEventState & SCARD_STATE_PRESENT)
            states[i].atr.assign(native[i].rgbAtr, native[i].rgbAtr + atr_len);
        else
            states[i].atr.clear();
    }
}

}  // namespace

std::vector<ReaderState> PcscContext::reader_states(const std::vector<std::string>& readers) {
    std::vector<ReaderState> states;
    for (const auto& r : readers) states.push_back(ReaderState{r, SCARD_STATE_UNAWARE, {}});
    if (states.empty()) return states;
    std::vector<SCARD_READERSTATE> native = to_native(states);
    const LONG rv =
        SCardGetStatusChange(context_, 0, native.data(), static_cast<DWORD>(native.size()));
    if (rv != static_cast<LONG>(SCARD_E_TIMEOUT)) check(rv, "cannot read the card readers' state");
    from_native(native, states);
    return states;
}

bool PcscContext::wait_for_change(std::vector<ReaderState>& known,
                                  std::optional<std::chrono::milliseconds> timeout) {
    std::vector<SCARD_READERSTATE> native = to_native(known);
    const DWORD ms = timeout ? static_cast<DWORD>(timeout->count()) : INFINITE;
    const LONG rv =
        SCardGetStatusChange(context_, ms, native.data(), static_cast<DWORD>(native.size()));
    if (rv == static_cast<LONG>(SCARD_E_TIMEOUT)) return false;
    check(rv, "waiting for a card reader change failed");
    from_native(native, known);
    return true;
}

void PcscContext::cancel() noexcept {
    if (owned_) SCardCancel(context_);
}

}  // namespace pkibridge::host::pcsc
