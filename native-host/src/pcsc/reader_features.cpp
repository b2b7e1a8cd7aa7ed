#include "pcsc/reader_features.hpp"

#include <reader.h>

#include "apdu/apdu_error.hpp"

namespace pkibridge::host::pcsc {

bool ReaderFeatures::pin_pad() const {
    return code(FEATURE_VERIFY_PIN_DIRECT).has_value();
}

ReaderFeatures parse_reader_features(pkcs::ByteView response) {
    ReaderFeatures features;
    std::size_t pos = 0;
    while (pos < response.size()) {
        if (response.size() - pos < 2)
            throw apdu::MalformedResponse("reader feature list truncated");
        const std::uint8_t tag = response[pos];
        const std::uint8_t length = response[pos + 1];
        pos += 2;
        if (length != 4) throw apdu::MalformedResponse("reader feature entry is not 4 bytes long");
        if (response.size() - pos < 4)
            throw apdu::MalformedResponse("reader feature list truncated");
        const std::uint32_t code = (std::uint32_t{response[pos]} << 24) |
                                   (std::uint32_t{response[pos + 1]} << 16) |
                                   (std::uint32_t{response[pos + 2]} << 8) | response[pos + 3];
        pos += 4;
        features.control_codes[tag] = code;
    }
    return features;
}

}  // namespace pkibridge::host::pcsc
