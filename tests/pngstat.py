#!/usr/bin/env python3
"""pngstat.py FILE [X0,Y0,X1,Y1 ...]: print "WIDTH HEIGHT NONWHITE" for an
8-bit RGB(A) PNG, NONWHITE being the number of pixels that are not (near)
white; then, for each rectangle given, one line with the number of its
pixels in the heatmap's cell colours (yellow to dark red: red well above
blue; not white, grey, black or the blue of the break lines). Pure
python (zlib only), so it needs nothing beyond python3."""
import struct
import sys
import zlib


def rows(data, width, bpp):
    stride = width * bpp
    prev = bytearray(stride)
    pos = 0
    for _ in range(len(data) // (stride + 1)):
        ftype = data[pos]
        line = bytearray(data[pos + 1:pos + 1 + stride])
        pos += stride + 1
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        yield line
        prev = line


def warm(r, g, b):
    return r >= 140 and r - b >= 60 and min(r, g, b) < 235


def load(path):
    """(width, height, bytes per pixel, decoded rows) of an 8-bit RGB(A)
    PNG."""
    blob = open(path, "rb").read()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(blob):
        n, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        body = blob[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    width, height, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
    assert depth == 8 and ctype in (2, 6), "need 8-bit RGB or RGBA"
    bpp = 3 if ctype == 2 else 4
    return width, height, bpp, rows(zlib.decompress(idat), width, bpp)


def main(path, rects):
    width, height, bpp, lines = load(path)
    nonwhite = 0
    counts = [0] * len(rects)
    for y, line in enumerate(lines):
        for x in range(0, len(line), bpp):
            px = line[x], line[x + 1], line[x + 2]
            if min(px) < 200:
                nonwhite += 1
            if not rects or not warm(*px):
                continue
            for i, (x0, y0, x1, y1) in enumerate(rects):
                if x0 <= x // bpp < x1 and y0 <= y < y1:
                    counts[i] += 1
    print(width, height, nonwhite)
    for c in counts:
        print(c)


if __name__ == "__main__":
    main(sys.argv[1], [tuple(int(float(v)) for v in r.split(","))
                       for r in sys.argv[2:]])
