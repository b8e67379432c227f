#!/usr/bin/env python3
"""Make a benchmark baseline named as results/README.md says:
results/baselines/<what>-<cpu>-<date>.json

    results/make_baseline.py crypto-bench [--build build/release]
    results/make_baseline.py load-standard [--build build/release]

Runs the benchmark binary on a fixed filter (short runs, 5 repetitions,
medians), and adds an "mtload_baseline" block to the Google Benchmark JSON:
the command, the CPU key, and the within-run ratios (fast path / OpenSSL
baseline of the same run) that harness/e2e/test_metrics_baseline.py checks
fresh runs against. `mtload compare` ignores the extra block.
Standard library only."""
import argparse
import datetime
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

# what -> (binary relative to the build dir, filter, [(fast, baseline), ...])
BASELINES = {
    "crypto-bench": (
        "bench/crypto/mt_bench_crypto",
        "^(msg_encrypt/(openssl|best)/1024|msg_(en|de)crypt_batch16/(openssl|best)/(64|1024)"
        "|ige_encrypt/(openssl|aesni)/1024|cbc_encrypt/openssl/1024|ige_encrypt_batch32/vaes512/1024"
        "|sha256/(shani|openssl_evp)/52)$",
        [("ige_encrypt/aesni/1024", "ige_encrypt/openssl/1024"),
         ("ige_encrypt/aesni/1024", "cbc_encrypt/openssl/1024"),
         ("ige_encrypt_batch32/vaes512/1024", "ige_encrypt/aesni/1024"),
         ("sha256/shani/52", "sha256/openssl_evp/52"),
         ("msg_encrypt/best/1024", "msg_encrypt/openssl/1024"),
         ("msg_encrypt_batch16/best/64", "msg_encrypt_batch16/openssl/64"),
         ("msg_encrypt_batch16/best/1024", "msg_encrypt_batch16/openssl/1024"),
         ("msg_decrypt_batch16/best/64", "msg_decrypt_batch16/openssl/64"),
         ("msg_decrypt_batch16/best/1024", "msg_decrypt_batch16/openssl/1024")],
    ),
}


def cpu_key():
    """Short, file-name-safe CPU model plus its best crypto tier."""
    text = pathlib.Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
    flags = set(re.search(r"^flags\s*:\s*(.*)$", text, re.M).group(1).split())
    name = model.group(1) if model else "unknown"
    name = re.sub(r"\((R|TM|tm|r)\)|CPU|Processor|@.*$|Intel|AMD", " ", name)
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "cpu"
    tier = ("avx512" if {"avx512f", "vaes"} <= flags else "avx2" if "avx2" in flags
            else "aesni" if "aes" in flags else "portable")
    return f"{name}-{tier}"


def run_bench(binary, bench_filter, repetitions=5, min_time="0.05"):
    cmd = [str(binary), f"--benchmark_filter={bench_filter}", f"--benchmark_min_time={min_time}",
           f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
           "--benchmark_format=json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=600).stdout
    return cmd, json.loads(out)


def medians(doc, metric="bytes_per_second"):
    return {b["run_name"]: b[metric] for b in doc["benchmarks"]
            if b.get("aggregate_name") == "median" and metric in b}


def ratios(doc, pairs):
    m = medians(doc)
    return {f"{fast} / {base}": m[fast] / m[base] for fast, base in pairs}


def standard_load(build, short=False):
    """The standard load run: `mtload server` and `mtload run` (16 sessions,
    2 + 2 threads, depth 64, pings) on loopback, next to a raw loopback echo
    of the same message size, connections and depth measured in the same
    run (bench/e2e_bench.py). Returns the run's results JSON with an
    "mtload_baseline" block holding the within-run ratio to the raw echo."""
    import tempfile
    sys.path.insert(0, str(ROOT / "bench"))
    import e2e_bench
    with tempfile.TemporaryDirectory() as tmp:
        b = e2e_bench.Bench(build, short, tmp)
        b.start_server(2)
        try:
            t = b.throughput()
        finally:
            b.stop_server()
        doc = json.loads((pathlib.Path(tmp) / "rps.json").read_text())
    doc["mtload_baseline"] = {
        "what": "load-standard",
        "cpu": cpu_key(),
        "command": "bench/e2e_bench.py throughput: mtload run --sessions 16 --threads 2 "
                   "--depth 64 --warmup 500ms --duration 5s against mtload server --threads 2",
        "raw_echo_rps": t["raw_echo_rps"],
        "rps": t["rps"],
        "ratios": {"mtload rps / raw echo rps": t["ratio_to_raw"]},
    }
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=sorted(BASELINES) + ["load-standard"])
    ap.add_argument("--build", default=str(ROOT / "build" / "release"))
    args = ap.parse_args()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    if args.what == "load-standard":
        doc = standard_load(args.build)
        out = ROOT / "results" / "baselines" / f"load-standard-{cpu_key()}-{date}.json"
        out.write_text(json.dumps(doc, indent=1) + "\n")
        print(out)
        return 0
    rel, bench_filter, pairs = BASELINES[args.what]
    cmd, doc = run_bench(pathlib.Path(args.build) / rel, bench_filter)
    key = cpu_key()
    # machine-independent context: no host name, the binary by its name
    doc["context"].pop("host_name", None)
    doc["context"]["executable"] = pathlib.Path(cmd[0]).name
    doc["mtload_baseline"] = {
        "what": args.what,
        "cpu": key,
        "command": [pathlib.Path(cmd[0]).name, *cmd[1:]],
        "filter": bench_filter,
        "ratio_pairs": pairs,
        "ratios": ratios(doc, pairs),
    }
    out = ROOT / "results" / "baselines" / f"{args.what}-{key}-{date}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
