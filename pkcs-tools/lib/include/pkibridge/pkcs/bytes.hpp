// Byte buffers, encodings, secret handling and small file helpers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pkibridge::pkcs {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string to_string(ByteView b) {
    return {b.begin(), b.end()};
}

// Standard base64 with padding. Decoding ignores ASCII whitespace and throws
// PkcsError(Malformed) on any other invalid character, bad padding or truncation.
std::string base64_encode(ByteView data);
Bytes base64_decode(std::string_view text);

// RFC 4648 section 5, no padding on output; padding tolerated on input.
std::string base64url_encode(ByteView data);
Bytes base64url_decode(std::string_view text);

// Lowercase hex; decoding accepts either case and optional ':' separators.
std::string hex_encode(ByteView data);
Bytes hex_decode(std::string_view text);

// Overwrites memory in a way the optimiser may not remove (OPENSSL_cleanse).
void secure_zero(void* data, std::size_t size);

// Owns a secret (a PIN or password) and wipes it on destruction and on move-from.
class SecretString {
public:
    SecretString() = default;
    explicit SecretString(std::string value) : value_(std::move(value)) {}
    SecretString(const SecretString&) = delete;
    SecretString& operator=(const SecretString&) = delete;
    SecretString(SecretString&& other) noexcept;
    SecretString& operator=(SecretString&& other) noexcept;
    ~SecretString() { clear(); }

    const std::string& value() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    std::size_t size() const noexcept { return value_.size(); }
    void clear() noexcept;

private:
    std::string value_;
};

// Whole-file helpers; throw PkcsError(Io) with the path in the message.
Bytes read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, ByteView data);
// Writes to a temporary file in the same folder, fsyncs it and renames it over path.
void write_file_atomic(const std::filesystem::path& path, ByteView data, bool private_mode = false);

}  // namespace pkibridge::pkcs
