"""The performance harness (bench/e2e_bench.py) in its short form, with
loose bars: the machine is shared and noisy, so CI checks that nothing
collapsed, not that the issue's bars are met (bench/e2e_bench.py's full run
and docs/performance.md report those).

The rule: every figure must reach a fraction of its bar that a loaded
2-core machine still reaches (about a third, measured when the bench ran
next to other builds), and each comparison is a ratio measured in the
same run, so a slow machine moves both sides:
  - end-to-end encrypted pings/s > 300k          (bar 1M)
  - client bytes per idle session < 8 KiB         (bar 4 KiB; 2000 sessions)
  - GramJS CPU per RPC / mtload's > 10x           (bar 30x; skipped without node/telegram)
  - handshakes per client core >= 0.5x the bound  (bar 0.9x)
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

import runlib

BENCH = runlib.ROOT / "bench" / "e2e_bench.py"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("perf") / "short.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--build", str(runlib.BUILD), "--short",
                           "--out", str(out)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])
    return json.loads(out.read_text())


def test_throughput(results):
    t = results["throughput"]
    assert t["rps"] > 300_000, t
    assert t["raw_echo_rps"] > t["rps"], t      # the floor is above us, or the bench is wrong


def test_idle_session_memory(results):
    m = results["memory"]
    assert m["sessions_large"] >= 2000, m
    assert m["client_bytes_per_session"] < 8192, m


def test_cpu_vs_gramjs(results):
    c = results["cpu"]
    if "ratio" not in c:
        pytest.skip(f"GramJS: {c.get('gramjs')}")
    assert c["ratio"] > 10, c


def test_handshake_storm_vs_bound(results):
    h = results["handshakes"]
    if not h["crypto_cpu_us"]:
        pytest.skip("mt_bench_crypto not built")
    for bits in (2048, 256):
        e = h[f"dh{bits}"]
        assert e["failures"] == 0, e
        assert e["ratio_to_bound"] >= 0.5, e
