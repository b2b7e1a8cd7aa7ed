#!/usr/bin/env python3
"""Draws the extension's icons (a smart card with its chip on a blue tile) as PNGs.

Standard library only; run `python3 extension/tools/make-icons.py` and commit icons/*.png.
Shapes are rasterised at 4x4 supersampling for smooth edges.
"""
import pathlib
import struct
import zlib

BLUE = (11, 79, 138)
CARD = (250, 250, 252)
CHIP = (214, 168, 54)
CHIP_LINE = (150, 110, 20)
STRIPE = (11, 79, 138)


def inside_round_rect(x, y, x0, y0, x1, y1, r):
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def shade(u, v):
    """Colour at unit coordinates (u, v) in [0,1)², or None for transparent."""
    if not inside_round_rect(u, v, 0.0, 0.0, 1.0, 1.0, 0.18):
        return None
    # the card, slightly tilted look avoided: a plain landscape card
    if inside_round_rect(u, v, 0.12, 0.24, 0.88, 0.76, 0.06):
        if inside_round_rect(u, v, 0.20, 0.36, 0.42, 0.56, 0.03):
            # chip contacts: two lines
            if abs(v - 0.46) < 0.012 or abs(u - 0.31) < 0.012:
                return CHIP_LINE
            return CHIP
        if 0.62 <= v <= 0.68 and 0.50 <= u <= 0.80:
            return STRIPE
        return CARD
    return BLUE


def render(size):
    ss = 4
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0
        for x in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = shade((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 1
            n = acc[3]
            if n == 0:
                row += bytes(4)
            else:
                row += bytes([acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // (ss * ss)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


out = pathlib.Path(__file__).resolve().parent.parent / "icons"
out.mkdir(exist_ok=True)
for size in (16, 32, 48, 128):
    (out / f"icon-{size}.png").write_bytes(png(size, render(size)))
