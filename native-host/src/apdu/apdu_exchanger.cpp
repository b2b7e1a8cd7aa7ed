#include "apdu/apdu_exchanger.hpp"

#include "apdu/apdu_error.hpp"

namespace pkibridge::host::apdu {

ResponseApdu ApduExchanger::send_one(const CommandApdu& command) {
    SecureBytes encoded = encode_short(command);
    ResponseApdu response = parse_response(channel_.transmit(encoded));
    if (response.sw1() == 0x6C) {  // wrong Le: repeat with the length the card offers
        CommandApdu again = command;
        again.le = response.sw2() == 0 ? 256 : response.sw2();
        encoded = encode_short(again);
        response = parse_response(channel_.transmit(encoded));
    }
    return response;
}

ResponseApdu ApduExchanger::exchange(const CommandApdu& command) {
    const std::vector<CommandApdu> parts = chain_command(command);
    ResponseApdu response;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        response = send_one(parts[i]);
        const bool last = i + 1 == parts.size();
        if (!last && !response.ok()) return response;  // the card refused part of the chain
    }

    pkcs::Bytes collected = std::move(response.data);
    int rounds = 0;
    while (response.sw1() == 0x61) {
        if (++rounds > limits_.max_get_response)
            throw MalformedResponse("the card kept answering 61xx (more data) without end");
        CommandApdu get_response;
        get_response.cla = parts.back().cla & 0x03;  // keep the logical channel, no chaining
        get_response.ins = 0xC0;
        get_response.le = response.sw2() == 0 ? 256 : response.sw2();
        response = send_one(get_response);
        if (collected.size() + response.data.size() > limits_.max_response_bytes)
            throw MalformedResponse("the card's response exceeds the size limit");
        collected.insert(collected.end(), response.data.begin(), response.data.end());
    }
    if (collected.size() > limits_.max_response_bytes)
        throw MalformedResponse("the card's response exceeds the size limit");
    response.data = std::move(collected);
    return response;
}

}  // namespace pkibridge::host::apdu
