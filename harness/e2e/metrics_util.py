"""Helpers for the metrics end-to-end tests (standard library only).

An independent HdrHistogram decoder, written from the format description
(not from the C code), so that the tests check the C encoder against a
second implementation: V2 header, ZigZag LEB128-64b9B counts with negative
zero runs, the compressed form (cookie, length, zlib), base64.
"""
import base64
import math
import os
import pathlib
import struct
import subprocess
import zlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MTLOAD_BUILD", ROOT / "build" / "release"))

V2_COOKIE = 0x1C849303
V2_COMPRESSED_COOKIE = 0x1C849304


def tool():
    """The metrics driver built from harness/tools; missing is a failure."""
    path = BUILD / "harness" / "tools" / "mt_metrics_tool"
    if not path.exists():
        pytest.fail(f"{path} not built (set MTLOAD_BUILD to a build directory)")
    return str(path)


def run_tool(*args, timeout=60, check_rc=None):
    proc = subprocess.run([tool(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    if check_rc is not None:
        assert proc.returncode == check_rc, (proc.returncode, proc.stdout, proc.stderr)
    return proc


class Hist:
    """Counts of an HdrHistogram with its bucket layout."""

    def __init__(self, lowest, highest, sig):
        self.lowest, self.highest, self.sig = lowest, highest, sig
        largest_single = 2 * 10 ** sig
        sub_bucket_count_magnitude = math.ceil(math.log2(largest_single))
        self.shcm = max(sub_bucket_count_magnitude, 1) - 1
        self.unit = int(math.floor(math.log2(lowest)))
        self.half = 1 << self.shcm
        self.counts = {}

    def value_at(self, index):
        bucket = (index >> self.shcm) - 1
        sub = (index & (self.half - 1)) + self.half
        if bucket < 0:
            sub -= self.half
            bucket = 0
        return sub << (bucket + self.unit)

    def width_at(self, index):
        bucket = max((index >> self.shcm) - 1, 0)
        return 1 << (bucket + self.unit)

    @property
    def total(self):
        return sum(self.counts.values())

    def add(self, other):
        assert (self.lowest, self.highest, self.sig) == (other.lowest, other.highest, other.sig)
        for i, c in other.counts.items():
            self.counts[i] = self.counts.get(i, 0) + c

    def percentile(self, p):
        """HdrHistogram semantics: highest equivalent value of the bucket
        holding rank ceil(p/100 * total)."""
        total = self.total
        if not total:
            return 0
        target = max(1, math.ceil(p / 100.0 * total - 1e-9))
        running = 0
        for i in sorted(self.counts):
            running += self.counts[i]
            if running >= target:
                return self.value_at(i) + self.width_at(i) - 1
        raise AssertionError("unreachable")

    def max(self):
        i = max(self.counts)
        return self.value_at(i) + self.width_at(i) - 1


def _zigzag_values(payload):
    i = 0
    while i < len(payload):
        v = 0
        for k in range(9):
            b = payload[i]
            i += 1
            if k == 8:
                v |= b << 56
                break
            v |= (b & 0x7F) << (7 * k)
            if not b & 0x80:
                break
        yield (v >> 1) ^ -(v & 1)


def decode_v2(raw):
    cookie, length, offset, sig, lowest, highest, _ratio = struct.unpack(">iiiiqqd", raw[:40])
    assert cookie & ~0xF0 == V2_COOKIE, hex(cookie)
    assert offset == 0
    h = Hist(lowest, highest, sig)
    index = 0
    for v in _zigzag_values(raw[40:40 + length]):
        if v < 0:
            index += -v
        else:
            if v:
                h.counts[index] = v
            index += 1
    return h


def decode_b64(text):
    data = base64.b64decode(text, validate=True)
    cookie, length = struct.unpack(">ii", data[:8])
    if cookie & ~0xF0 == V2_COOKIE:
        return decode_v2(data)
    assert cookie & ~0xF0 == V2_COMPRESSED_COOKIE, hex(cookie)
    return decode_v2(zlib.decompress(data[8:8 + length]))


def read_hlog(path):
    """[(tag, start, length, max_ms, Hist)] plus the header times."""
    entries, start_time, base_time = [], None, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#[StartTime: "):
                start_time = float(line[len("#[StartTime: "):].split()[0])
            elif line.startswith("#[BaseTime: "):
                base_time = float(line[len("#[BaseTime: "):].split()[0])
            if not line or line[0] in '#"':
                continue
            tag = None
            if line.startswith("Tag="):
                tag, line = line[4:].split(",", 1)
            start, length, max_ms, b64 = line.split(",")
            entries.append((tag, float(start), float(length), float(max_ms), decode_b64(b64)))
    return entries, start_time, base_time
