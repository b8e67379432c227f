"""`mtload compare` and `mtload merge` on crafted files (run through the
metrics driver, which links the same loadgen/cmd_*.c as mtload)."""
import json
import subprocess

import pytest

from metrics_util import BUILD, Hist, decode_b64, read_hlog, run_tool


def synth(tmp_path, name, seed, *extra):
    out = tmp_path / f"{name}.json"
    hlog = tmp_path / f"{name}.hlog"
    run_tool("synth", "--workers", 2, "--intervals", 2, "--interval-ms", 100, "--rate", 1000,
             "--seed", seed, "--json", out, "--hlog", hlog, *extra, check_rc=0)
    return out, hlog


def test_compare_mtload_results(tmp_path):
    base, _ = synth(tmp_path, "base", 1)
    same = run_tool("compare", base, base, check_rc=0)
    assert "0 regression(s)" in same.stdout
    doc = json.loads(base.read_text())
    # the same histograms over a 10% longer run: throughput drops 9.1%
    doc["duration_s"] *= 1.1
    slower = tmp_path / "slower.json"
    slower.write_text(json.dumps(doc))
    proc = run_tool("compare", base, slower, "--max-regression", "5%", check_rc=1)
    assert "REGRESSION" in proc.stdout and "rate" in proc.stdout
    run_tool("compare", base, slower, "--max-regression", "10", check_rc=0)
    # the other way round it is an improvement
    better = run_tool("compare", slower, base, check_rc=0)
    assert "better" in better.stdout
    # latency regression: a histogram from a slower op in place of ping's
    doc = json.loads(base.read_text())
    doc["operations"][0]["histogram"] = doc["operations"][1]["histogram"]
    lat = tmp_path / "lat.json"
    lat.write_text(json.dumps(doc))
    proc = run_tool("compare", base, lat, check_rc=1)
    assert any("p50" in line and "REGRESSION" in line for line in proc.stdout.splitlines())
    # an operation missing from the new file is a regression
    doc = json.loads(base.read_text())
    doc["operations"] = doc["operations"][1:]
    gone = tmp_path / "gone.json"
    gone.write_text(json.dumps(doc))
    assert "missing" in run_tool("compare", base, gone, check_rc=1).stdout


def test_compare_usage_and_bad_input(tmp_path):
    base, _ = synth(tmp_path, "base", 1)
    run_tool("compare", base, check_rc=2)
    run_tool("compare", base, base, "--max-regression", "x", check_rc=2)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    run_tool("compare", base, bad, check_rc=2)
    corrupt = json.loads(base.read_text())
    corrupt["operations"][0]["histogram"] = "HISTFAAAAA=="
    cpath = tmp_path / "corrupt.json"
    cpath.write_text(json.dumps(corrupt))
    run_tool("compare", base, cpath, check_rc=2)


def gbench(entries):
    return {"context": {"date": "2026-01-01", "num_cpus": 2}, "benchmarks": entries}


def test_compare_google_benchmark(tmp_path):
    def it(name, ips=None, real=None, **kw):
        e = {"name": name, "run_name": name, "run_type": "iteration", "iterations": 10,
             "real_time": real if real is not None else 100.0, "cpu_time": 100.0, "time_unit": "ns"}
        if ips is not None:
            e["items_per_second"] = ips
        e.update(kw)
        return e

    base = gbench([it("ige/aesni/4096", ips=1e6), it("sha256/openssl/64", real=50.0),
                   it("kdf/portable/0", real=2.0, time_unit="us")])
    new = gbench([it("ige/aesni/4096", ips=0.9e6), it("sha256/openssl/64", real=51.0),
                  it("kdf/portable/0", real=1800.0, time_unit="ns")])
    b, n = tmp_path / "b.json", tmp_path / "n.json"
    b.write_text(json.dumps(base))
    n.write_text(json.dumps(new))
    proc = run_tool("compare", b, n, "--max-regression", "5%", check_rc=1)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "/" in line}
    assert "REGRESSION" in lines["ige/aesni/4096"]  # 10% fewer items/s
    assert "ok" in lines["sha256/openssl/64"]  # 2% slower, within limit
    assert "better" in lines["kdf/portable/0"]  # 2 us -> 1.8 us, units converted
    run_tool("compare", b, n, "--max-regression", "15%", check_rc=0)

    # repetitions: the median aggregate is used when present
    def agg(name, stat, real):
        return {"name": f"{name}_{stat}", "run_name": name, "run_type": "aggregate",
                "aggregate_name": stat, "real_time": real, "cpu_time": real, "time_unit": "ns",
                "iterations": 3}
    rb = gbench([it("x", real=10.0), it("x", real=10.0), agg("x", "mean", 10.0), agg("x", "median", 10.0)])
    rn = gbench([it("x", real=30.0), it("x", real=10.2), agg("x", "mean", 16.0), agg("x", "median", 10.2)])
    b.write_text(json.dumps(rb))
    n.write_text(json.dumps(rn))
    run_tool("compare", b, n, check_rc=0)
    # a results file against a benchmark file is an input error
    res, _ = synth(tmp_path, "res", 1)
    run_tool("compare", b, res, check_rc=2)


def test_merge_exact(tmp_path):
    a, ha = synth(tmp_path, "a", 11)
    b, hb = synth(tmp_path, "b", 22)
    out = tmp_path / "merged.json"
    proc = run_tool("merge", a, b, "-o", out, "--threshold", "ping:p99<5ms", check_rc=0)
    assert "ping" in proc.stdout
    da, db, dm = (json.loads(p.read_text()) for p in (a, b, out))
    assert dm["kind"] == "merge" and dm["shards"] == 2
    assert dm["config"]["merged_from"] == [str(a), str(b)]
    for i, op in enumerate(dm["operations"]):
        ha_, hb_ = decode_b64(da["operations"][i]["histogram"]), decode_b64(db["operations"][i]["histogram"])
        ha_.add(hb_)
        hm = decode_b64(op["histogram"])
        assert hm.counts == ha_.counts
        assert op["count"] == da["operations"][i]["count"] + db["operations"][i]["count"]
        # global percentiles come from the merged histogram, not from averaging
        assert abs(op["latency_us"]["p99"] - ha_.percentile(99) / 1e3) < 1e-6
        assert op["errors"] == da["operations"][i]["errors"] + db["operations"][i]["errors"]
    assert dm["counters"]["requests"] == da["counters"]["requests"] + db["counters"]["requests"]
    assert dm["thresholds"][0]["ok"] is True
    # shards run side by side: the merged duration is the longest, so rates add up
    assert dm["duration_s"] == max(da["duration_s"], db["duration_s"])
    # thresholds re-evaluated on the merged data: exit 99
    proc = run_tool("merge", a, b, "--threshold", "rps>1G", check_rc=99)
    assert "FAILED" in proc.stdout


def test_merge_hlog(tmp_path):
    a, ha = synth(tmp_path, "a", 5)
    b, hb = synth(tmp_path, "b", 6)
    out = tmp_path / "m.json"
    run_tool("merge", ha, hb, "-o", out, check_rc=0)
    dm = json.loads(out.read_text())
    expect = {}
    for path in (ha, hb):
        for tag, *_rest, hist in read_hlog(path)[0]:
            if tag in expect:
                expect[tag].add(hist)
            else:
                expect[tag] = hist
    got = {op["name"]: decode_b64(op["histogram"]) for op in dm["operations"]}
    assert set(got) == set(expect)
    for tag, hist in expect.items():
        assert got[tag].counts == hist.counts
    # JSON and hlog shards mix
    run_tool("merge", a, hb, "-o", out, check_rc=0)


def test_merge_errors(tmp_path):
    run_tool("merge", check_rc=2)
    missing = tmp_path / "nope.json"
    run_tool("merge", missing, check_rc=2)
    bad = tmp_path / "bad.hlog"
    bad.write_text("#[Histogram log format version 1.3]\nTag=a,0,1,2,HISTFAAAAA==\n")
    run_tool("merge", bad, check_rc=2)
    a, _ = synth(tmp_path, "a", 1)
    run_tool("merge", a, "--threshold", "p99<", check_rc=2)


def test_python_decoder_layout_matches():
    """Sanity check of the test's own decoder on the default layout."""
    h = Hist(1, 3600 * 10 ** 9, 3)
    assert h.half == 1024 and h.unit == 0
    assert h.value_at(2047) == 2047 and h.value_at(2048) == 2048 and h.width_at(2048) == 2


def test_mtload_dispatches_compare_and_merge(tmp_path):
    """The same subcommands through the mtload binary itself."""
    mtload = BUILD / "mtload"
    if not mtload.exists():
        pytest.fail(f"{mtload} not built")
    a, _ = synth(tmp_path, "a", 1)
    b, _ = synth(tmp_path, "b", 2)
    out = tmp_path / "m.json"
    proc = subprocess.run([str(mtload), "compare", str(a), str(a)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and "0 regression(s)" in proc.stdout, proc.stderr
    proc = subprocess.run([str(mtload), "merge", str(a), str(b), "-o", str(out), "--threshold",
                           "rps>1G"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 99, proc.stderr
    assert json.loads(out.read_text())["shards"] == 2
