"""Interop with the reference HdrHistogram implementation (Java, Debian's
libhdrhistogram-java): its HistogramLogProcessor reads our .hlog, and its
figures equal those of our results JSON."""
import json
import pathlib
import re
import shutil
import subprocess

import pytest

from metrics_util import run_tool

JAR = pathlib.Path("/usr/share/java/hdrhistogram.jar")


def java_processor(args, cwd):
    java = shutil.which("java")
    if not java or not JAR.exists():
        pytest.fail("java and libhdrhistogram-java are needed (harness/deps.sh installs them)")
    proc = subprocess.run([java, "-cp", str(JAR), "org.HdrHistogram.HistogramLogProcessor", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def parse_hgrm(text):
    """Percentile lines (value in ms, percentile, total count) and the footer."""
    rows, footer = [], {}
    for line in text.splitlines():
        m = re.match(r"^\s+([\d.]+)\s+([\d.]+)\s+(\d+)", line)
        if m:
            rows.append((float(m.group(1)), float(m.group(2)), int(m.group(3))))
        for key, value in re.findall(r"(Max|Total count)\s*=\s*([\d.]+)", line):
            footer[key] = float(value)
    return rows, footer


def test_java_reads_our_hlog(tmp_path):
    out_json, hlog = tmp_path / "run.json", tmp_path / "run.hlog"
    run_tool("synth", "--workers", 2, "--intervals", 3, "--interval-ms", 100, "--rate", 1000,
             "--json", out_json, "--hlog", hlog, check_rc=0)
    doc = json.loads(out_json.read_text())
    for op in doc["operations"]:
        name = op["name"]
        java_processor(["-i", str(hlog), "-tag", name, "-o", f"{name}"], cwd=tmp_path)
        rows, footer = parse_hgrm((tmp_path / f"{name}.hgrm").read_text())
        # every interval line of the tag was decoded and added by the Java code
        assert int(footer["Total count"]) == op["count"]
        # values print in ms with 3 decimals (the tool's default 1e6 scaling of ns)
        assert abs(footer["Max"] * 1000 - op["latency_us"]["max"]) <= 0.5 + 1e-9
        p50 = [v for v, pct, _ in rows if abs(pct - 0.5) < 1e-12]
        assert p50, "no 50% line"
        assert abs(p50[0] * 1000 - op["latency_us"]["p50"]) <= 0.5 + 1e-9
        # the interval log view: one line per interval, counts add up
        intervals = (tmp_path / name).read_text().splitlines()
        counts = [int(m.group(1)) for line in intervals for m in [re.search(r"I:(\d+)", line)] if m]
        assert sum(counts) == op["count"]
