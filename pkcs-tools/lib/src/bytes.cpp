#include "pkibridge/pkcs/bytes.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <iterator>

#include "pkibridge/pkcs/errors.hpp"

namespace pkibridge::pkcs {
namespace {

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(ByteView data, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    std::size_t rest = data.size() - i;
    if (rest == 1) {
        std::uint32_t v = data[i] << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        if (pad) out += "==";
    } else if (rest == 2) {
        std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        if (pad) out += '=';
    }
    return out;
}

// Strict decoder: whitespace skipped, '=' only at the end, no leftover bits set.
Bytes decode(std::string_view text, std::string_view alphabet, bool padding_required,
             std::string_view what) {
    std::array<int, 256> table;
    table.fill(-1);
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    Bytes out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t symbols = 0, pads = 0;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            ++pads;
            continue;
        }
        if (pads > 0)
            throw PkcsError(ErrorCode::Malformed, std::string(what) + ": data after padding");
        int v = table[static_cast<unsigned char>(c)];
        if (v < 0)
            throw PkcsError(ErrorCode::Malformed,
                            std::string(what) + ": invalid character in input");
        ++symbols;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
    }
    std::size_t rem = symbols % 4;
    if (rem == 1) throw PkcsError(ErrorCode::Malformed, std::string(what) + ": truncated input");
    if (pads > 2 || (pads > 0 && (symbols + pads) % 4 != 0))
        throw PkcsError(ErrorCode::Malformed, std::string(what) + ": bad padding");
    if (padding_required && rem != 0 && pads == 0)
        throw PkcsError(ErrorCode::Malformed, std::string(what) + ": missing padding");
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        throw PkcsError(ErrorCode::Malformed, std::string(what) + ": non-canonical encoding");
    return out;
}

}  // namespace

std::string base64_encode(ByteView data) {
    return encode(data, kB64, true);
}
Bytes base64_decode(std::string_view text) {
    return decode(text, kB64, false, "base64");
}
std::string base64url_encode(ByteView data) {
    return encode(data, kB64Url, false);
}
Bytes base64url_decode(std::string_view text) {
    return decode(text, kB64Url, false, "base64url");
}

std::string hex_encode(ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (auto b : data) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

Bytes hex_decode(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    int high = -1;
    for (char c : text) {
        if (c == ':') {
            if (high >= 0) throw PkcsError(ErrorCode::Malformed, "hex: separator inside a byte");
            continue;
        }
        int v = nibble(c);
        if (v < 0) throw PkcsError(ErrorCode::Malformed, "hex: invalid character");
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0) throw PkcsError(ErrorCode::Malformed, "hex: odd number of digits");
    return out;
}

void secure_zero(void* data, std::size_t size) {
    if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

SecretString::SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) {
    other.clear();
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
    if (this != &other) {
        clear();
        value_ = std::move(other.value_);
        other.clear();
    }
    return *this;
}

void SecretString::clear() noexcept {
    // Wipe the whole capacity: a short string lives in the object, a long one on the heap.
    value_.resize(value_.capacity());
    secure_zero(value_.data(), value_.size());
    value_.clear();
}

Bytes read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw PkcsError(ErrorCode::Io, "cannot open " + path.string());
    Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw PkcsError(ErrorCode::Io, "cannot read " + path.string());
    return data;
}

void write_file(const std::filesystem::path& path, ByteView data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw PkcsError(ErrorCode::Io, "cannot create " + path.string());
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    if (!out) throw PkcsError(ErrorCode::Io, "cannot write " + path.string());
}

void write_file_atomic(const std::filesystem::path& path, ByteView data, bool private_mode) {
    auto tmp = path;
    tmp += ".tmp";
    int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, private_mode ? 0600 : 0644);
    if (fd < 0) throw PkcsError(ErrorCode::Io, "cannot create " + tmp.string());
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            ::close(fd);
            throw PkcsError(ErrorCode::Io, "cannot write " + tmp.string());
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0)
        throw PkcsError(ErrorCode::Io, "cannot flush " + tmp.string());
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw PkcsError(ErrorCode::Io, "cannot replace " + path.string() + ": " + ec.message());
}

}  // namespace pkibridge::pkcs
