"""Helpers of the `mtload server` end-to-end tests: start a server on an
ephemeral loopback port (read back from its banner), run one mt_probe
scenario against it, read its memory. Standard library only."""
import json
import os
import re
import select
import signal
import subprocess
import time

from conftest import binary

# The server's RSA key is generated once per test session (2048-bit key
# generation costs ~0.1-1 s) and shared by every server the tests start.
_KEY_DIR = None


def key_dir(tmp_path_factory):
    global _KEY_DIR
    if _KEY_DIR is None:
        _KEY_DIR = tmp_path_factory.mktemp("server-key")
    return _KEY_DIR


class Server:
    """One `mtload server` process. Use as a context manager; stop() sends
    SIGTERM (the graceful stop) and keeps stdout/stderr for the test."""

    def __init__(self, keydir, *args, threads=2, timeout=15.0, banner_lines=2):
        self.key = str(keydir / "server.pem")
        self.pub = self.key + ".pub"
        self.log_path = str(keydir / f"server-{os.getpid()}-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "wb")
        cmd = [binary("mtload"), "server", "--listen", "127.0.0.1:0", "--threads", str(threads),
               "--rsa-key", self.key, *[str(a) for a in args]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log)
        self.banner = []
        self.port = None
        self.out = ""
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline and len(self.banner) < banner_lines:
            if self.proc.poll() is not None:
                break
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if not r:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            *lines, rest = buf.split(b"\n")
            buf = rest
            self.banner += [ln.decode() for ln in lines]
        text = "\n".join(self.banner)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", text)
        if not m:
            self.stop()
            raise RuntimeError(f"server did not start: {text!r} {self.stderr()!r}")
        self.port = int(m.group(1))
        self.pid = self.proc.pid

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        rc = self.stop()
        if exc_type is None:
            # SIGTERM is a graceful stop: exit 0 and a summary
            assert rc == 0, (rc, self.stderr()[-2000:])
            assert "stopped by SIGTERM" in self.out, self.out

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=15.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                out, _ = self.proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, _ = self.proc.communicate()
            self.out = out.decode(errors="replace")
        self.log.close()
        return self.proc.returncode

    def stderr(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def rss_kib(self):
        return rss_kib(self.pid)

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))


_MEM_SCALE = None


def mem_scale():
    """Memory bounds are for a normal build; under AddressSanitizer (redzones,
    quarantine of freed memory) the same program holds several times more."""
    global _MEM_SCALE
    if _MEM_SCALE is None:
        with open(binary("mtload"), "rb") as f:
            _MEM_SCALE = 8 if b"__asan_init" in f.read() else 1
    return _MEM_SCALE


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def probe_cmd(server, scenario, transport="abridged", secret=None, size=None, count=None,
              timeout=5.0, idle=None, raw=False, trickle=False, legacy=None, port=None):
    cmd = [binary("mt_probe"), "--port", str(port or server.port), "--key", server.pub,
           "--scenario", scenario, "--transport", transport, "--timeout", str(timeout)]
    if secret:
        cmd += ["--secret", secret]
    if size is not None:
        cmd += ["--size", str(size)]
    if count is not None:
        cmd += ["--count", str(count)]
    if idle is not None:
        cmd += ["--idle", str(idle)]
    if raw:
        cmd += ["--raw"]
    if trickle:
        cmd += ["--trickle"]
    if legacy is not None:
        cmd += ["--legacy", str(legacy)]
    return cmd


def probe(server, scenario, wall=60.0, **kw):
    """Run one mt_probe scenario; returns its JSON result."""
    cmd = probe_cmd(server, scenario, **kw)
    p = subprocess.run(cmd, capture_output=True, timeout=wall)
    out = p.stdout.decode().strip()
    if not out:
        raise AssertionError(f"mt_probe printed nothing (rc {p.returncode}): {p.stderr.decode()}")
    return json.loads(out.splitlines()[-1])


def probe_async(server, scenario, **kw):
    return subprocess.Popen(probe_cmd(server, scenario, **kw), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def probe_result(proc, wall=60.0):
    out, err = proc.communicate(timeout=wall)
    out = out.decode().strip()
    if not out:
        raise AssertionError(f"mt_probe printed nothing (rc {proc.returncode}): {err.decode()}")
    return json.loads(out.splitlines()[-1])


def events(result, type_):
    return [e for e in result["events"] if e.get("type") == type_]
