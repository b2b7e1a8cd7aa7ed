#include "services/auth/captcha_image.hpp"

#include <sodium.h>
#include <zlib.h>

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace pkibridge::server {

namespace {

constexpr int kGlyphW = 5;
constexpr int kGlyphH = 7;
constexpr int kWidth = 180;
constexpr int kHeight = 64;
constexpr int kScale = 4;

struct Glyph {
    char c;
    std::array<const char*, kGlyphH> rows;
};

// clang-format off
constexpr Glyph kFont[] = {
    {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'C', {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}},
    {'D', {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'F', {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}},
    {'H', {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'J', {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'K', {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}},
    {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
    {'N', {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"}},
    {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
    {'T', {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'U', {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'V', {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'W', {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."}},
    {'X', {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}},
    {'Y', {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}},
    {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
};
// clang-format on

const Glyph& glyph(char c) {
    for (const auto& g : kFont)
        if (g.c == c) return g;
    throw std::invalid_argument("no CAPTCHA glyph for this character");
}

int rand_int(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(randombytes_uniform(static_cast<uint32_t>(hi - lo + 1)));
}
double rand_real(double lo, double hi) {
    return lo + (hi - lo) * (randombytes_uniform(1000001) / 1000000.0);
}

void draw_line(GreyImage& img, int x0, int y0, int x1, int y1, std::uint8_t shade) {
    const int dx = std::abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    const int dy = -std::abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        if (x0 >= 0 && x0 < img.width && y0 >= 0 && y0 < img.height)
            img.pixels[static_cast<std::size_t>(y0 * img.width + x0)] = shade;
        if (x0 == x1 && y0 == y1) break;
        const int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

void append_chunk(std::string& out, const char type[5], const std::string& data) {
    const auto len = static_cast<std::uint32_t>(data.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(len >> shift));
    std::string body(type, 4);
    body += data;
    out += body;
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(crc >> shift));
}

void put_u32(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(v >> shift));
}

}  // namespace

GreyImage render_captcha(std::string_view text) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium unusable");
    GreyImage ink{kWidth, kHeight, std::vector<std::uint8_t>(kWidth * kHeight, 255)};
    const int n = static_cast<int>(text.size());
    const int cell = n > 0 ? (kWidth - 16) / n : kWidth;
    for (int i = 0; i < n; ++i) {
        const Glyph& g = glyph(text[static_cast<std::size_t>(i)]);
        const int x0 = 8 + i * cell + (cell - kGlyphW * kScale) / 2 + rand_int(-3, 3);
        const int y0 = (kHeight - kGlyphH * kScale) / 2 + rand_int(-7, 7);
        const double shear = rand_real(-0.35, 0.35);
        const double scale_x = kScale * rand_real(0.85, 1.15);
        const auto shade = static_cast<std::uint8_t>(rand_int(20, 90));
        const int mid = kGlyphH * kScale / 2;
        for (int py = y0 - 2; py < y0 + kGlyphH * kScale + 2; ++py) {
            for (int px = x0 - 12; px < x0 + kGlyphW * kScale + 12; ++px) {
                if (px < 0 || px >= kWidth || py < 0 || py >= kHeight) continue;
                const double gx = (px - x0 - shear * (py - y0 - mid)) / scale_x;
                const double gy = static_cast<double>(py - y0) / kScale;
                if (gx < 0 || gy < 0 || gx >= kGlyphW || gy >= kGlyphH) continue;
                if (g.rows[static_cast<std::size_t>(gy)][static_cast<int>(gx)] == '#')
                    ink.pixels[static_cast<std::size_t>(py * kWidth + px)] = shade;
            }
        }
    }
    // A sine warp of the whole drawing, then background grain, lines and dots on top.
    GreyImage img{kWidth, kHeight, std::vector<std::uint8_t>(kWidth * kHeight, 255)};
    const double amplitude = rand_real(2.0, 4.0);
    const double period = rand_real(50.0, 90.0);
    const double phase = rand_real(0.0, 2 * std::numbers::pi);
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x) {
            const int sy =
                y + static_cast<int>(std::lround(
                        amplitude * std::sin(2 * std::numbers::pi * x / period + phase)));
            std::uint8_t v = static_cast<std::uint8_t>(rand_int(215, 255));
            if (sy >= 0 && sy < kHeight) {
                const auto src = ink.pixels[static_cast<std::size_t>(sy * kWidth + x)];
                if (src < 255) v = src;
            }
            img.pixels[static_cast<std::size_t>(y * kWidth + x)] = v;
        }
    }
    const int lines = rand_int(4, 6);
    for (int i = 0; i < lines; ++i) {
        draw_line(img, rand_int(0, kWidth / 4), rand_int(0, kHeight - 1),
                  rand_int(kWidth * 3 / 4, kWidth - 1), rand_int(0, kHeight - 1),
                  static_cast<std::uint8_t>(rand_int(40, 140)));
    }
    for (int i = 0; i < 350; ++i) {
        img.pixels[static_cast<std::size_t>(rand_int(0, kHeight - 1) * kWidth +
                                            rand_int(0, kWidth - 1))] =
            static_cast<std::uint8_t>(rand_int(30, 160));
    }
    return img;
}

std::string encode_png(const GreyImage& image) {
    std::string raw;
    raw.reserve(static_cast<std::size_t>((image.width + 1) * image.height));
    for (int y = 0; y < image.height; ++y) {
        raw.push_back('\0');  // filter type 0 (none)
        raw.append(reinterpret_cast<const char*>(image.pixels.data()) + y * image.width,
                   static_cast<std::size_t>(image.width));
    }
    uLongf packed_len = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(packed_len, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_len,
                  reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                  Z_BEST_COMPRESSION) != Z_OK)
        throw std::runtime_error("zlib compression failed");
    packed.resize(packed_len);

    std::string png("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    put_u32(ihdr, static_cast<std::uint32_t>(image.width));
    put_u32(ihdr, static_cast<std::uint32_t>(image.height));
    ihdr.push_back(8);  // bit depth
    ihdr.push_back(0);  // colour type: greyscale
    ihdr.push_back(0);  // compression
    ihdr.push_back(0);  // filter
    ihdr.push_back(0);  // no interlace
    append_chunk(png, "IHDR", ihdr);
    append_chunk(png, "IDAT", packed);
    append_chunk(png, "IEND", "");
    return png;
}

}  // namespace pkibridge::server
