// PIN and PUK as the card keeps them: a salted PBKDF2 hash of the 8-byte padded value (so
// the card directory never holds a PIN in clear) and a retry counter.
#pragma once

#include <cstdint>
#include <string_view>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::vcard {

using pkcs::Bytes;
using pkcs::ByteView;

inline constexpr std::size_t kReferenceBlockSize = 8;  // PIN/PUK padded with FF to 8 bytes

struct ReferenceData {
    Bytes salt;
    Bytes hash;
    int tries_left = 3;
    int max_tries = 3;

    bool blocked() const noexcept { return tries_left <= 0; }
};

// The 8-byte block a client sends for a PIN: value then FF padding. Throws
// VcardError(InvalidArgument) unless 6..8 characters (digits only when digits_only).
Bytes pad_reference(std::string_view value, bool digits_only);
// True for a well-formed block: 6..8 bytes that are not FF (digits when digits_only),
// then only FF.
bool valid_reference_block(ByteView block, bool digits_only) noexcept;

ReferenceData make_reference(ByteView block, int max_tries);
// Constant-time comparison of the block's hash with the stored one.
bool reference_matches(const ReferenceData& ref, ByteView block);

}  // namespace pkibridge::vcard
