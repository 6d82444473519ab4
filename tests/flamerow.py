#!/usr/bin/env python3
"""flamerow.py PNG DEPTH COUNT TOTAL: is a frame of COUNT of TOTAL samples
drawn at DEPTH of a flame graph screenshot (speedscope's flame chart, root
at the top)? Rows are found down a column at the left edge: bands of
colour 12 to 30 px high, at a fixed pitch, the first being the root,
which spans the whole profile. In the row at DEPTH, frames are the runs
of non-white pixels (speedscope leaves a white gap after each frame);
one must be COUNT / TOTAL of the root's width, within 1 % or 3 px.
Prints what it found; exit status 0 if so, 1 if not."""
import sys

import pngstat


def white(line, x, bpp):
    return min(line[x * bpp:x * bpp + 3]) >= 250


def runs(flags):
    """(start, end) of each run of True."""
    out, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def main(path, depth, count, total):
    width, height, bpp, lines = pngstat.load(path)
    lines = list(lines)
    column = [not white(lines[y], 2, bpp) for y in range(height)]
    bands = [r for r in runs(column) if 12 <= r[1] - r[0] <= 30]
    if len(bands) < 2:
        print("no flame chart rows down the left edge: bands %s" % bands)
        return 1
    top, pitch = bands[0][0], bands[1][0] - bands[0][0]
    half = (bands[0][1] - bands[0][0]) // 2

    def frames(d):
        y = top + d * pitch + half
        if y >= height:
            return []
        return runs([not white(lines[y], x, bpp) for x in range(width)])

    root = max((e - s for s, e in frames(0)), default=0)
    if root < 0.9 * width:
        print("the root frame is %d px of %d: not a flame chart" %
              (root, width))
        return 1
    want = root * count / total
    got = [e - s for s, e in frames(depth)]
    ok = any(abs(w - want) <= max(3, 0.01 * root) for w in got)
    print("row pitch %d px, root %d px; depth %d: frames %s px, want %.0f" %
          (pitch, root, depth, got[:12], want))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]),
                  float(sys.argv[4])))
