"""Every metrics output parsed back: results JSON, CSV (csv module), the
HdrHistogram interval log (decoded by an independent decoder), thresholds
and their exit codes, and SIGTERM ending a run with every output written.

The data comes from `mt_metrics_tool synth`, which drives core/metrics the way
the programs do (worker threads, double-buffered snapshots, a reporter)."""
import csv
import json
import signal
import subprocess
import time

from metrics_util import decode_b64, read_hlog, run_tool, tool

OPS = ["ping", "echo"]


def synth(tmp_path, *extra, rc=0, name="run"):
    out = {k: tmp_path / f"{name}.{k}" for k in ("json", "csv", "hlog")}
    proc = run_tool("synth", "--workers", 2, "--intervals", 3, "--interval-ms", 100,
                    "--rate", 1000, "--json", out["json"], "--csv", out["csv"],
                    "--hlog", out["hlog"], *extra, check_rc=rc)
    return out, proc


def test_json_document(tmp_path):
    out, proc = synth(tmp_path)
    doc = json.loads(out["json"].read_text())
    assert doc["schema_version"] == 1
    assert doc["kind"] == "run"
    assert doc["interrupted"] is False
    env = doc["environment"]
    for key in ("cpu_model", "cpu_flags", "crypto_tier", "kernel", "compiler", "commit", "threads"):
        assert key in env, key
    assert env["threads"] == 2
    assert doc["config"]["mode"] == "synthetic"
    assert [op["name"] for op in doc["operations"]] == OPS
    total = 0
    for op in doc["operations"]:
        hist = decode_b64(op["histogram"])
        # the histogram holds exactly the counted operations
        assert hist.total == op["count"]
        total += op["count"]
        lat = op["latency_us"]
        for key, pct in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9)):
            assert abs(lat[key] - hist.percentile(pct) / 1e3) < 1e-6, key
        assert abs(lat["max"] - hist.max() / 1e3) < 1e-6
        assert lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"] <= lat["max"]
        assert abs(op["rate"] - op["count"] / doc["duration_s"]) < 1e-6 * op["rate"]
    assert doc["totals"]["count"] == total
    # synthetic errors: one per 500 values, FLOOD_WAIT on ping, transport -429 on echo
    classes = {(e["class"], e["code"], e["message"]): e["count"] for e in doc["errors"]}
    assert classes[("rpc", 420, "FLOOD_WAIT_X")] == doc["operations"][0]["errors"]
    assert classes[("transport", -429, "")] == doc["operations"][1]["errors"]
    assert doc["counters"]["flood_wait_seconds"] == 5 * doc["operations"][0]["errors"]
    assert doc["counters"]["requests"] == total
    assert doc["thresholds"] == [] and doc["thresholds_ok"] is True
    assert "ping" in proc.stdout  # the summary table


def test_csv_rows(tmp_path):
    out, _ = synth(tmp_path)
    doc = json.loads(out["json"].read_text())
    with open(out["csv"], newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["timestamp", "op", "count", "rate", "p50_us", "p90_us", "p99_us",
                       "p999_us", "max_us", "errors"]
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert body, "no interval rows"
    sums = {}
    for r in body:
        assert r["op"] in OPS
        ts = float(r["timestamp"])
        assert doc["started_at"] <= ts <= doc["ended_at"] + 1
        count = int(r["count"])
        sums[r["op"]] = sums.get(r["op"], 0) + count
        if count:
            p50, p90, p99, p999, mx = (float(r[k]) for k in
                                       ("p50_us", "p90_us", "p99_us", "p999_us", "max_us"))
            assert p50 <= p90 <= p99 <= p999 <= mx
    # every value recorded appears in exactly one interval row
    for op in doc["operations"]:
        assert sums[op["name"]] == op["count"]
    errors = sum(int(r["errors"]) for r in body)
    assert errors == doc["totals"]["errors"]


def test_csv_quoting(tmp_path):
    out, _ = synth(tmp_path, "--ops", 'say "hi" now,b', "--intervals", 1)
    with open(out["csv"], newline="") as f:
        rows = list(csv.reader(f))
    assert {r[1] for r in rows[1:]} == {'say "hi" now', "b"}
    raw = out["csv"].read_bytes()
    assert b'"say ""hi"" now"' in raw
    assert raw.endswith(b"\r\n")


def test_hlog_decodes(tmp_path):
    out, _ = synth(tmp_path)
    doc = json.loads(out["json"].read_text())
    text = out["hlog"].read_text().splitlines()
    assert text[1] == "#[Histogram log format version 1.3]"
    assert text[4] == '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"'
    entries, start_time, base_time = read_hlog(out["hlog"])
    assert start_time == base_time
    assert abs(start_time - doc["started_at"]) < 1e-3
    per_tag = {}
    for tag, start, length, max_ms, hist in entries:
        assert tag in OPS
        assert start >= 0 and length > 0
        # Interval_Max is the histogram's max in milliseconds
        assert abs(max_ms - hist.max() / 1e6) < 1e-3
        if tag in per_tag:
            per_tag[tag].add(hist)
        else:
            per_tag[tag] = hist
    for op in doc["operations"]:
        merged = per_tag[op["name"]]
        total = decode_b64(op["histogram"])
        # the intervals add up exactly to the run's total histogram
        assert merged.counts == total.counts


def test_thresholds_exit_codes(tmp_path):
    out, proc = synth(tmp_path, "--threshold", "ping:p99<5ms", "--threshold", "error_rate<1%",
                      rc=0, name="ok")
    doc = json.loads(out["json"].read_text())
    assert [t["ok"] for t in doc["thresholds"]] == [True, True]
    assert doc["thresholds"][0]["unit"] == "us" and doc["thresholds"][0]["limit"] == 5000
    out, proc = synth(tmp_path, "--threshold", "ping:p99<5ms", "--threshold", "rps>100M",
                      "--threshold", "missing:p50<1s", rc=99, name="bad")
    doc = json.loads(out["json"].read_text())
    assert [t["ok"] for t in doc["thresholds"]] == [True, False, False]
    assert doc["thresholds_ok"] is False
    assert "FAILED" in proc.stdout
    # every output still written before exiting 99
    assert out["csv"].stat().st_size > 0 and out["hlog"].stat().st_size > 0
    run_tool("synth", "--threshold", "p99<<5ms", check_rc=2)


def test_sigterm_marks_interrupted(tmp_path):
    paths = {k: tmp_path / f"int.{k}" for k in ("json", "csv", "hlog")}
    proc = subprocess.Popen([tool(), "synth", "--intervals", "1000", "--interval-ms", "100",
                             "--rate", "200", "--json", str(paths["json"]), "--csv",
                             str(paths["csv"]), "--hlog", str(paths["hlog"])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # CSV rows flushed each interval: a live run is already readable
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if paths["csv"].exists() and len(paths["csv"].read_text().splitlines()) >= 5:
                break
            time.sleep(0.05)
        assert len(paths["csv"].read_text().splitlines()) >= 5
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    doc = json.loads(paths["json"].read_text())
    assert doc["interrupted"] is True
    assert doc["totals"]["count"] > 0
    assert doc["duration_s"] < 60
