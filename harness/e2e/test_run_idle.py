"""Many idle sessions: as many as the process's open-file limit allows
(one fd per session on each side; the server is another process with its
own limit), from keys made once (--save-keys) so that no session pays for
a handshake. With a limit of 20,000 the run holds ~19,500 sessions; two
client processes against two server processes double that."""
import re
import resource
import signal
import subprocess
import time

import pytest

import runlib


def session_budget():
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(100, min(soft - 300, 19_500))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return 0


def start_idle(server, keys, n):
    rate = max(1, -(-n // 1000))           # one ping per ~1000 s per session
    cmd = [runlib.mtload_path(), "run", "--target", server.target, "--keys", str(keys),
           "--rsa-key", str(server.pub), "--sessions", str(n), "--threads", "1", "--rate",
           str(rate), "--duration", "60s", "--interval", "100ms", "--connect-timeout", "30s"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_up(proc, n, timeout):
    deadline, up = time.monotonic() + timeout, 0
    for line in proc.stderr:
        m = re.search(r"sessions (\d+)/(\d+)", line)
        if m:
            up = int(m.group(1))
            if up >= n:
                return up
        if time.monotonic() > deadline:
            break
    return up


def stop_idle(proc):
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return proc.returncode, out


def make_keys(workdir, server, n=32):
    keys = workdir / "idle.keys"
    res = runlib.run(workdir, "--sessions", n, "--threads", 1, "--duration", "1s",
                     "--dh-exponent-bits", 256, "--save-keys", keys, server=server)
    assert res.rc == 0, res
    assert res.counters["handshakes"] == n
    return keys


def test_idle_sessions_up_to_the_fd_limit(tmp_path):
    n = session_budget()
    with runlib.Server(tmp_path, "--idle-timeout", "10m", threads=1) as srv:
        keys = make_keys(tmp_path, srv)
        t0 = time.monotonic()
        proc = start_idle(srv, keys, n)
        try:
            up = wait_up(proc, n, timeout=60)
            took = time.monotonic() - t0
            client_kib, server_kib = rss_kib(proc.pid), rss_kib(srv.proc.pid)
        finally:
            rc, out = stop_idle(proc)
        print(f"idle sessions: {up}/{n} up in {took:.1f}s; client RSS {client_kib} KiB "
              f"({client_kib * 1024 / max(up, 1):.0f} B/session incl. baseline), "
              f"server RSS {server_kib} KiB")
        assert up == n, (up, n, out[-2000:])
        assert rc == 0, out[-2000:]
        # every session came up on a saved key: no handshake at all
        m = re.search(r"handshakes (\d+) \(failed (\d+)\)", out)
        assert m and m.group(1) == "0", out[-2000:]
        # whole process, baseline included: well under 8 KiB a session
        assert client_kib * 1024 / n < 8192, client_kib


def test_idle_sessions_two_clients_two_servers(tmp_path):
    """Beyond one process's limit: two client processes, each against its
    own server process, hold their sessions at the same time."""
    n = session_budget()
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    with runlib.Server(a_dir, "--idle-timeout", "10m", threads=1) as sa, \
            runlib.Server(b_dir, "--idle-timeout", "10m", threads=1) as sb:
        ka, kb = make_keys(a_dir, sa), make_keys(b_dir, sb)
        pa, pb = start_idle(sa, ka, n), start_idle(sb, kb, n)
        try:
            up_a = wait_up(pa, n, timeout=90)
            up_b = wait_up(pb, n, timeout=90)
        finally:
            ra, _ = stop_idle(pa)
            rb, _ = stop_idle(pb)
        print(f"idle sessions over two client processes: {up_a + up_b}")
        assert (up_a, up_b) == (n, n)
        assert ra == 0 and rb == 0
