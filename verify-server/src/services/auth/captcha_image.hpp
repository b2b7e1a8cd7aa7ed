// The CAPTCHA picture: the answer drawn with a built-in 5x7 bitmap font, each character
// scaled, sheared and moved at random, the whole image warped by a sine wave and crossed
// by noise lines and dots; encoded as an 8-bit greyscale PNG with zlib.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pkibridge::server {

// Characters that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6).
inline constexpr std::string_view kCaptchaAlphabet = "ACDEFHJKMNPRTUVWXY34679";

struct GreyImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // row-major, 0 = black, 255 = white
};

// Throws std::invalid_argument for a character outside kCaptchaAlphabet.
GreyImage render_captcha(std::string_view text);
std::string encode_png(const GreyImage& image);

}  // namespace pkibridge::server
