"""A fresh crypto benchmark run against the stored baseline
(results/baselines/crypto-bench-<cpu>-<date>.json), with a noise-tolerant
rule: absolute speeds swing with the load of a shared machine, so the check
is on ratios measured within one run (each fast path against the OpenSSL
baseline in the same binary, same moment). A fresh ratio below half the
baseline's means a fast path lost most of its lead: that fails."""
import importlib.util
import json
import pathlib

import pytest

from metrics_util import BUILD, ROOT, run_tool

spec = importlib.util.spec_from_file_location("make_baseline", ROOT / "results" / "make_baseline.py")
make_baseline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_baseline)

TOLERANCE = 0.5  # a fresh within-run ratio may be down to half the baseline's


def pick_baseline(what):
    files = sorted((ROOT / "results" / "baselines").glob(f"{what}-*.json"))
    if not files:
        pytest.fail(f"no results/baselines/{what}-*.json (results/make_baseline.py {what})")
    key = make_baseline.cpu_key()
    same_cpu = [f for f in files if json.loads(f.read_text())["mtload_baseline"]["cpu"] == key]
    # newest of this CPU's baselines (dates sort as text); another CPU's ratios
    # still bound what a fast path must keep
    return (same_cpu or files)[-1]


def test_crypto_bench_ratios_hold(tmp_path):
    path = pick_baseline("crypto-bench")
    base = json.loads(path.read_text())
    meta = base["mtload_baseline"]
    binary = BUILD / make_baseline.BASELINES["crypto-bench"][0]
    if not binary.exists():
        pytest.fail(f"{binary} not built (MT_BENCH=ON)")
    _cmd, fresh = make_baseline.run_bench(binary, meta["filter"], repetitions=3)
    pairs = [tuple(p) for p in meta["ratio_pairs"]]
    have = make_baseline.medians(fresh)
    gone = sorted({n for p in pairs for n in p} - set(have))
    assert not gone, (f"benchmarks {gone} of {path.name} no longer run: remake the baseline "
                      "with results/make_baseline.py")
    now = make_baseline.ratios(fresh, pairs)
    for name, then in meta["ratios"].items():
        assert now[name] >= TOLERANCE * then, (
            f"{name}: {now[name]:.2f}x now, {then:.2f}x in {path.name}")
    # the same files through mtload compare: it reads Google Benchmark JSON
    # with aggregates; speeds may differ under load, so only the table is checked
    fresh_path = tmp_path / "fresh.json"
    fresh_path.write_text(json.dumps(fresh))
    proc = run_tool("compare", path, fresh_path, "--max-regression", "50%")
    assert proc.returncode in (0, 1), proc.stderr
    for fast, slow in pairs:
        assert fast in proc.stdout and slow in proc.stdout


def test_standard_load_ratio_holds(tmp_path):
    """The standard load run (results/make_baseline.py load-standard, short
    form) against its baseline: mtload's encrypted pings/s over a raw
    loopback echo of the same sizes, connections and depth measured in the
    same run. Both sides slow down together on a loaded machine; a ratio
    below half the baseline's means the pipeline lost most of its speed."""
    path = pick_baseline("load-standard")
    base = json.loads(path.read_text())
    then = base["mtload_baseline"]["ratios"]["mtload rps / raw echo rps"]
    fresh = make_baseline.standard_load(BUILD, short=True)
    now = fresh["mtload_baseline"]["ratios"]["mtload rps / raw echo rps"]
    assert now >= TOLERANCE * then, (
        f"mtload/raw echo {now:.3f} now, {then:.3f} in {path.name} "
        f"({fresh['mtload_baseline']['rps']:.0f} vs {fresh['mtload_baseline']['raw_echo_rps']:.0f}/s)")
    # and through mtload compare, as a CI pipeline would: absolute rates move
    # with the machine's load, so only the table is checked here
    fresh_path = tmp_path / "fresh.json"
    fresh_path.write_text(json.dumps(fresh))
    proc = run_tool("compare", path, fresh_path, "--max-regression", "50%")
    assert proc.returncode in (0, 1), proc.stderr
    assert "ping" in proc.stdout
