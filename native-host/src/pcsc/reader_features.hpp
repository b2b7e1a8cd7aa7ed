// PC/SC part 10 reader features, as CM_IOCTL_GET_FEATURE_REQUEST reports them: a list of
// (tag, 4, big-endian control code) entries. Parsing is a pure function so it can be fuzzed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::host::pcsc {

struct ReaderFeatures {
    std::map<std::uint8_t, std::uint32_t> control_codes;  // feature tag -> control code

    std::optional<std::uint32_t> code(std::uint8_t feature) const {
        auto it = control_codes.find(feature);
        if (it == control_codes.end()) return std::nullopt;
        return it->second;
    }
    bool pin_pad() const;  // FEATURE_VERIFY_PIN_DIRECT is offered
};

// Throws apdu::MalformedResponse on a truncated entry or a length other than 4.
ReaderFeatures parse_reader_features(pkcs::ByteView response);

}  // namespace pkibridge::host::pcsc
