#include "apdu/command_apdu.hpp"

#include <stdexcept>

namespace pkibridge::host::apdu {

SecureBytes encode_short(const CommandApdu& command) {
    if (command.data.size() > kMaxShortData)
        throw std::invalid_argument("command APDU data longer than 255 bytes needs chaining");
    if (command.le && (*command.le == 0 || *command.le > kMaxShortLe))
        throw std::invalid_argument("command APDU Le must be 1..256");
    SecureBytes out;
    out.reserve(5 + command.data.size() + 1);
    out.insert(out.end(), {command.cla, command.ins, command.p1, command.p2});
    if (!command.data.empty()) {
        out.push_back(static_cast<std::uint8_t>(command.data.size()));
        out.insert(out.end(), command.data.begin(), command.data.end());
    }
    if (command.le) out.push_back(static_cast<std::uint8_t>(*command.le & 0xFF));
    return out;
}

std::vector<CommandApdu> chain_command(const CommandApdu& command, std::size_t chunk) {
    if (chunk == 0 || chunk > kMaxShortData) throw std::invalid_argument("bad chaining chunk size");
    if (command.data.size() <= chunk) return {command};
    std::vector<CommandApdu> parts;
    for (std::size_t offset = 0; offset < command.data.size(); offset += chunk) {
        const std::size_t n = std::min(chunk, command.data.size() - offset);
        const bool last = offset + n == command.data.size();
        CommandApdu part;
        part.cla = last ? command.cla : static_cast<std::uint8_t>(command.cla | 0x10);
        part.ins = command.ins;
        part.p1 = command.p1;
        part.p2 = command.p2;
        part.data.assign(command.data.begin() + static_cast<std::ptrdiff_t>(offset),
                         command.data.begin() + static_cast<std::ptrdiff_t>(offset + n));
        if (last) part.le = command.le;
        parts.push_back(std::move(part));
    }
    return parts;
}

}  // namespace pkibridge::host::apdu
