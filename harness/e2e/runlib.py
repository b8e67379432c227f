"""Helpers for the `mtload run` end-to-end tests (standard library only).

A reference server on an ephemeral loopback port (started and stopped by
the test), and a `run()` that starts `mtload run` against it with a time
bound and returns its exit code, outputs and parsed --json.
"""
import json
import os
import pathlib
import re
import resource
import signal
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MTLOAD_BUILD", ROOT / "build" / "release"))

LISTEN_RE = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


def mtload_path():
    path = BUILD / "mtload"
    if not path.exists():
        import pytest
        pytest.fail(f"{path} not built (set MTLOAD_BUILD to a build directory)")
    return str(path)


class Server:
    """`mtload server` on 127.0.0.1. Port 0 lets the kernel pick one; the
    port is read back from the server's start-up line."""

    def __init__(self, workdir, *args, port=0, threads=1, key_name="key.pem"):
        self.workdir = pathlib.Path(workdir)
        self.key = self.workdir / key_name
        self.pub = self.workdir / (key_name + ".pub")
        self.args = [str(a) for a in args]
        self.threads = threads
        self.port = port
        self.proc = None
        self.log = None

    def start(self, timeout=20.0):
        self.log = open(self.workdir / f"server-{time.monotonic_ns()}.log", "w+")
        cmd = [mtload_path(), "server", "--listen", f"127.0.0.1:{self.port}",
               "--threads", str(self.threads), "--rsa-key", str(self.key), *self.args]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.log.seek(0)
            m = LISTEN_RE.search(self.log.read())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log.read()}")
            time.sleep(0.02)
        self.stop()
        raise TimeoutError("server did not start")

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
        return self.proc.returncode

    def output(self):
        if not self.log:
            return ""
        self.log.seek(0)
        return self.log.read()

    def __enter__(self):
        # `with Server(...).start() as srv` must not start a second process:
        # it would bind the first one's port (SO_REUSEPORT), and the kernel
        # would spread connections over two servers with separate key stores
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc):
        self.stop()


class Result:
    def __init__(self, rc, stdout, stderr, data, elapsed):
        self.rc, self.stdout, self.stderr, self.json, self.elapsed = (
            rc, stdout, stderr, data, elapsed)

    def __repr__(self):
        return (f"Result(rc={self.rc}, elapsed={self.elapsed:.2f}s,\n"
                f"stdout={self.stdout[-3000:]}\nstderr={self.stderr[-3000:]})")

    def op(self, name):
        for o in self.json["operations"]:
            if o["name"] == name:
                return o
        raise KeyError(f"no operation {name!r} in {[o['name'] for o in self.json['operations']]}")

    def ops(self):
        return {o["name"]: o for o in self.json["operations"]}

    @property
    def counters(self):
        return self.json["counters"]

    def errors(self, kind=None):
        """The error classes of --json, optionally of one kind."""
        return [e for e in self.json["errors"] if kind is None or e.get("class") == kind]


def run(workdir, *args, server=None, timeout=60.0, json_name="run.json", want_json=True,
        env=None):
    """Run `mtload run` (quiet) and collect its results. `server` fills in
    --target and --rsa-key unless given in args."""
    workdir = pathlib.Path(workdir)
    args = [str(a) for a in args]
    cmd = [mtload_path(), "run", "-q"]
    if server is not None:
        if "--target" not in args:
            cmd += ["--target", server.target]
        if "--rsa-key" not in args and "--keys" not in args:
            cmd += ["--rsa-key", str(server.pub)]
    jpath = workdir / json_name
    if want_json:
        if jpath.exists():
            jpath.unlink()
        cmd += ["--json", str(jpath)]
    cmd += args
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=workdir,
                          env=env)
    elapsed = time.monotonic() - t0
    data = None
    if want_json and jpath.exists():
        with open(jpath) as f:
            data = json.load(f)
    return Result(proc.returncode, proc.stdout, proc.stderr, data, elapsed)


def start_run(workdir, *args, server=None, json_name="run.json"):
    """Start `mtload run` in the background; finish with finish_run()."""
    workdir = pathlib.Path(workdir)
    args = [str(a) for a in args]
    cmd = [mtload_path(), "run", "-q", "--json", str(workdir / json_name)]
    if server is not None:
        cmd += ["--target", server.target, "--rsa-key", str(server.pub)]
    cmd += args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=workdir)
    proc._t0 = time.monotonic()
    proc._jpath = workdir / json_name
    return proc


def finish_run(proc, timeout=60.0):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    data = None
    if proc._jpath.exists():
        with open(proc._jpath) as f:
            data = json.load(f)
    return Result(proc.returncode, out, err, data, time.monotonic() - proc._t0)


def assert_clean(res, *ops):
    """Exit 0, every named op (default: every workload op) counted, no errors."""
    assert res.rc == 0, res
    assert res.json is not None, res
    names = ops or [o["name"] for o in res.json["operations"]
                    if o["name"] not in ("connect", "handshake")]
    for name in names:
        o = res.op(name)
        assert o["count"] > 0, (name, o, res)
        assert o["errors"] == 0, (name, o, res)
    c = res.counters
    assert c["errors"] == 0 and c["timeouts"] == 0 and c["disconnects"] == 0, (c, res)
    assert res.json["errors"] == [], res.json["errors"]


def fd_limit():
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def csv_rows(path, op):
    """Rows of one op in a --csv file, the last full intervals first; a
    final sliver (the few ms between the last interval boundary and the
    stop) is returned separately."""
    import csv
    rows = [r for r in csv.DictReader(open(path)) if r["op"] == op]
    if len(rows) >= 2 and float(rows[-1]["timestamp"]) - float(rows[-2]["timestamp"]) < 0.05:
        return rows[:-1], rows[-1]
    return rows, None
