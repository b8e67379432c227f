#!/usr/bin/env python3
"""End-to-end performance of `mtload run` against `mtload server`, every
figure next to its own yardstick measured in the same run (standard
library only):

  (a) encrypted RPCs/s (pipelined pings, >= 8 sessions, loopback) next to
      a raw loopback echo (bench/e2e/raw_echo.c) with the same connections,
      depth and bytes per message;
  (b) memory per idle established session: client and server RSS delta
      between a small and a large idle run, over the session difference
      (sessions reuse --keys, so no handshakes);
  (c) client CPU time per RPC, mtload vs GramJS (npm `telegram`) doing the
      same pings against the same server;
  (d) handshake storm: handshakes per client CPU second vs the bound of the
      client's crypto (two 2048-bit modexps + pq factorization, measured by
      mt_bench_crypto in this run), with 2048- and 256-bit DH exponents.

  python3 bench/e2e_bench.py [--build build/release] [--short] [--out FILE]

--short runs each part for about a second (CI); the default is the full
run written to results/baselines/e2e-<cpu>-<date>.json. Prints a table
and the JSON. The bars of the issue are reported as met or not, never
enforced here (see harness/e2e/test_run_perf.py for the loose CI check).
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

BARS = {
    "e2e_rps": 1_000_000,
    "idle_session_bytes": 4096,
    "gramjs_cpu_ratio": 30.0,
    "handshake_bound_ratio": 0.9,
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, build, short, workdir):
        self.build = pathlib.Path(build)
        self.short = short
        self.dir = pathlib.Path(workdir)
        self.mtload = str(self.build / "mtload")
        self.raw = str(self.build / "bench" / "e2e" / "mt_raw_echo")
        self.crypto = str(self.build / "bench" / "crypto" / "mt_bench_crypto")
        for p in (self.mtload, self.raw):
            if not os.path.exists(p):
                sys.exit(f"{p} not built")
        self.server = None
        self.port = None
        self.pub = str(self.dir / "key.pem.pub")

    # ---- processes ------------------------------------------------------
    def start_server(self, threads):
        self.log = open(self.dir / "server.log", "w+")
        self.server = subprocess.Popen(
            [self.mtload, "server", "--listen", "127.0.0.1:0", "--threads", str(threads),
             "--rsa-key", str(self.dir / "key.pem"), "--idle-timeout", "10m"],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(500):
            self.log.seek(0)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.log.read())
            if m:
                self.port = int(m.group(1))
                return
            if self.server.poll() is not None:
                break
            time.sleep(0.02)
        sys.exit("server did not start")

    def stop_server(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def run(self, *args, name="run"):
        """mtload run; returns (json, cpu seconds of the client process)."""
        jpath = self.dir / f"{name}.json"
        cmd = [self.mtload, "run", "-q", "--target", f"127.0.0.1:{self.port}",
               "--json", str(jpath), *map(str, args)]
        if "--keys" not in args:
            cmd += ["--rsa-key", self.pub]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out, err = proc.stdout.read(), proc.stderr.read()
        if proc.returncode != 0:
            sys.exit(f"mtload run failed ({proc.returncode}): {' '.join(cmd)}\n{out}\n{err}")
        return json.loads(jpath.read_text()), ru.ru_utime + ru.ru_stime

    # ---- (a) throughput vs raw echo ---------------------------------------
    def throughput(self, sessions=16, depth=64, threads=2):
        secs = 1.5 if self.short else 5
        d, _ = self.run("--sessions", sessions, "--threads", threads, "--depth", depth,
                        "--duration", f"{secs}s", "--warmup", "500ms", name="rps")
        ping = next(o for o in d["operations"] if o["name"] == "ping")
        rps = ping["count"] / d["duration_s"]
        c = d["counters"]
        # bytes per message on the wire, both directions averaged (transport
        # frame + MTProto envelope + padding, containers amortised)
        size = max(16, round((c["bytes_sent"] + c["bytes_received"]) / 2 / max(1, c["requests"])))
        srv = subprocess.Popen([self.raw, "serve", "0", str(threads)], stdout=subprocess.PIPE,
                               text=True)
        try:
            port = srv.stdout.readline().split()[1]
            out = subprocess.run([self.raw, "load", port, str(threads), str(sessions), str(depth),
                                  str(size), str(secs)], capture_output=True, text=True,
                                 check=True, timeout=secs + 30).stdout
        finally:
            srv.kill()
            srv.wait()
        raw = json.loads(out)
        return {"sessions": sessions, "depth": depth, "threads_each": threads,
                "seconds": d["duration_s"], "rps": rps, "p50_us": ping["latency_us"]["p50"],
                "p99_us": ping["latency_us"]["p99"], "bytes_per_message": size,
                "raw_echo_rps": raw["rate"], "ratio_to_raw": rps / raw["rate"]}

    # ---- (b) memory per idle session ---------------------------------------
    def rss_kib(self, pid):
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1])
        return 0

    def idle(self, keys, n):
        """Start n idle sessions from --keys, wait until all are up, read
        the RSS of client and server, stop."""
        rate = max(1, -(-n // 1000))          # one ping per ~1000 s per session
        cmd = [self.mtload, "run", "--target", f"127.0.0.1:{self.port}", "--keys", str(keys),
               "--rsa-key", self.pub, "--sessions", str(n), "--threads", "1",
               "--rate", str(rate), "--duration", "120s", "--interval", "100ms",
               "--connect-timeout", "30s"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        up, deadline = 0, time.monotonic() + 90
        try:
            os.set_blocking(proc.stderr.fileno(), True)
            for line in proc.stderr:
                m = re.search(r"sessions (\d+)/(\d+)", line)
                if m:
                    up = int(m.group(1))
                    if up >= n:
                        break
                if time.monotonic() > deadline:
                    break
            time.sleep(0.5)                   # settle: buffers trimmed on idle
            return up, self.rss_kib(proc.pid), self.rss_kib(self.server.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def memory(self):
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        big = 2000 if self.short else max(1000, soft - 200)
        small = 200
        keys = self.dir / "idle.keys"
        self.run("--sessions", 64, "--threads", 1, "--duration", "1s",
                 "--dh-exponent-bits", 256, "--save-keys", keys, name="keys")
        up0, c0, s0 = self.idle(keys, small)
        up1, c1, s1 = self.idle(keys, big)
        dn = up1 - up0
        return {"fd_limit": soft, "sessions_small": up0, "sessions_large": up1,
                "client_rss_kib": [c0, c1], "server_rss_kib": [s0, s1],
                "client_bytes_per_session": (c1 - c0) * 1024 / dn if dn > 0 else None,
                "server_bytes_per_session": (s1 - s0) * 1024 / dn if dn > 0 else None}

    # ---- (c) CPU per RPC vs GramJS --------------------------------------------
    def cpu_vs_gramjs(self):
        secs = 1 if self.short else 4
        d, cpu = self.run("--sessions", 1, "--threads", 1, "--depth", 64, "--duration",
                          f"{secs}s", name="cpu")
        n = d["counters"]["responses"]
        ours = cpu * 1e6 / n
        res = {"mtload_cpu_us_per_rpc": ours, "mtload_rpcs": n}
        js = ROOT / "harness" / "e2e" / "interop" / "gramjs_client.js"
        if not shutil.which("node") or not (js.parent / "node_modules" / "telegram").exists():
            res["gramjs"] = "not available (node, or npm ci in harness/e2e/interop)"
            return res
        count = 3000 if self.short else 20000
        out = subprocess.run(["node", str(js), "--port", str(self.port), "--key", self.pub,
                              "--transport", "abridged", "--scenario", "bench", "--count",
                              str(count)], capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            res["gramjs"] = f"failed: {out.stderr[-400:]}"
            return res
        g = json.loads(out.stdout.strip().splitlines()[-1])
        res.update({"gramjs_cpu_us_per_rpc": g["cpu_us_per_rpc"], "gramjs_rpcs": g["rpcs"],
                    "gramjs_rps": g["rps"], "ratio": g["cpu_us_per_rpc"] / ours})
        return res

    # ---- (d) handshake storm vs its crypto bound --------------------------------
    def crypto_costs(self):
        if not os.path.exists(self.crypto):
            return None
        out = subprocess.run([self.crypto, "--benchmark_filter=dh_modexp|pq_factor/brent",
                              "--benchmark_format=json",
                              f"--benchmark_min_time={0.05 if self.short else 0.3}"],
                             capture_output=True, text=True, timeout=300, check=True).stdout
        us = {}
        for b in json.loads(out)["benchmarks"]:
            t = b["cpu_time"] * {"us": 1, "ms": 1000, "ns": 0.001}[b["time_unit"]]
            us[b["name"]] = t
        return us

    def handshakes(self):
        costs = self.crypto_costs()
        res = {"crypto_cpu_us": costs}
        secs = 1.5 if self.short else 4
        for bits in (2048, 256):
            d, cpu = self.run("--workload", "handshake", "--sessions", 16, "--threads", 1,
                              "--duration", f"{secs}s", "--dh-exponent-bits", bits,
                              name=f"hs{bits}")
            n = d["counters"]["handshakes"]
            per_core = n / cpu if cpu else 0
            entry = {"handshakes": n, "client_cpu_s": cpu, "per_client_core_s": per_core,
                     "wall_rate": n / d["duration_s"],
                     "failures": d["counters"]["handshake_failures"]}
            if costs:
                bound_us = 2 * costs[f"dh_modexp/openssl/{bits}"] + costs["pq_factor/brent/63"]
                entry["bound_per_core_s"] = 1e6 / bound_us
                entry["ratio_to_bound"] = per_core / entry["bound_per_core_s"]
            res[f"dh{bits}"] = entry
        return res


def cpu_slug():
    model = "cpu"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                model = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    slug = re.sub(r"\(r\)|\(tm\)|processor|cpu|@.*", "", model.lower())
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-") or "cpu"


def verdicts(r):
    v = {}
    v["e2e_rps"] = r["throughput"]["rps"] >= BARS["e2e_rps"]
    b = r["memory"]["client_bytes_per_session"]
    v["idle_session_bytes"] = b is not None and b <= BARS["idle_session_bytes"]
    v["gramjs_cpu_ratio"] = r["cpu"].get("ratio", 0) >= BARS["gramjs_cpu_ratio"]
    hs = r["handshakes"]
    v["handshake_bound_ratio"] = all(hs[k].get("ratio_to_bound", 0) >= BARS["handshake_bound_ratio"]
                                     for k in ("dh2048", "dh256"))
    return v


def table(r):
    t, m, c, h = r["throughput"], r["memory"], r["cpu"], r["handshakes"]
    ok = r["bars_met"]
    yes = lambda k: "met" if ok[k] else "NOT met"
    rows = [
        ("e2e encrypted pings/s", f"{t['rps']:,.0f}", f"raw echo {t['raw_echo_rps']:,.0f} "
         f"({t['bytes_per_message']} B): ratio {t['ratio_to_raw']:.2f}", f">= 1M: {yes('e2e_rps')}"),
        ("client bytes / idle session", f"{m['client_bytes_per_session'] or 0:,.0f}",
         f"{m['sessions_large']} sessions; server {m['server_bytes_per_session'] or 0:,.0f} B",
         f"<= 4 KiB: {yes('idle_session_bytes')}"),
        ("client CPU us / RPC", f"{c['mtload_cpu_us_per_rpc']:.3f}",
         f"GramJS {c.get('gramjs_cpu_us_per_rpc', float('nan')):.1f}: ratio "
         f"{c.get('ratio', float('nan')):.0f}x", f">= 30x: {yes('gramjs_cpu_ratio')}"),
    ]
    for bits in (2048, 256):
        e = h[f"dh{bits}"]
        rows.append((f"handshakes / client core s (DH {bits})", f"{e['per_client_core_s']:,.0f}",
                     f"bound {e.get('bound_per_core_s', float('nan')):,.0f}: ratio "
                     f"{e.get('ratio_to_bound', float('nan')):.2f}",
                     f">= 0.9x: {'met' if e.get('ratio_to_bound', 0) >= 0.9 else 'NOT met'}"))
    w = [max(len(x[i]) for x in rows) for i in range(4)]
    return "\n".join("  ".join(x[i].ljust(w[i]) for i in range(4)) for x in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.environ.get("MTLOAD_BUILD", str(ROOT / "build" / "release")))
    ap.add_argument("--short", action="store_true", help="about a second per part (CI)")
    ap.add_argument("--out", help="JSON results file (default: results/baselines/e2e-<cpu>-<date>.json,"
                                  " none with --short)")
    ap.add_argument("--parts", default="throughput,memory,cpu,handshakes")
    a = ap.parse_args()
    parts = a.parts.split(",")
    with tempfile.TemporaryDirectory(prefix="mtload-e2e-bench-") as tmp:
        b = Bench(a.build, a.short, tmp)
        r = {"tool": "bench/e2e_bench.py", "short": a.short,
             "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "cpu_model": cpu_slug(), "cpus_online": os.cpu_count(), "bars": BARS}
        try:
            b.start_server(threads=2)
            for p in parts:
                log(f"e2e_bench: {p} ...")
                r[p] = getattr(b, {"cpu": "cpu_vs_gramjs"}.get(p, p))()
        finally:
            b.stop_server()
    if set(parts) >= {"throughput", "memory", "cpu", "handshakes"}:
        r["bars_met"] = verdicts(r)
        print(table(r))
    print(json.dumps(r, indent=2))
    out = a.out
    if not out and not a.short:
        out = ROOT / "results" / "baselines" / f"e2e-{r['cpu_model']}-{r['date'][:10]}.json"
    if out:
        pathlib.Path(out).write_text(json.dumps(r, indent=2) + "\n")
        log(f"e2e_bench: wrote {out}")


if __name__ == "__main__":
    main()
