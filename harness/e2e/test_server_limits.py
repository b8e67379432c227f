"""Limits of `mtload server`: 10,000 idle connections held at once (or as
many as the descriptor limits of this machine allow; the number reached and
the RSS per connection are printed), a connect flood of a few thousand
connections, --max-connections refusing what is beyond it, and
--idle-timeout closing silent connections. The server keeps answering a
healthy client through all of it."""
import errno
import resource
import socket
import time

import pytest

from server_util import Server, key_dir, mem_scale, probe

IDLE_TARGET = 10_000


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def open_many(port, n, deadline_s=30.0):
    """n TCP connections to the server (non-blocking connects, in batches so
    the listen backlog never overflows). Returns the sockets."""
    socks = []
    deadline = time.monotonic() + deadline_s
    while len(socks) < n and time.monotonic() < deadline:
        batch = []
        for _ in range(min(500, n - len(socks))):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            rc = s.connect_ex(("127.0.0.1", port))
            if rc not in (0, errno.EINPROGRESS):
                s.close()
                raise OSError(rc, f"connect: {errno.errorcode.get(rc)}")
            batch.append(s)
        socks += batch
        time.sleep(0.02)
    return socks


def wait_server_fds(server, want, timeout=30.0, at_least=True):
    deadline = time.monotonic() + timeout
    n = server.fds()
    while time.monotonic() < deadline:
        n = server.fds()
        if (n >= want) if at_least else (n <= want):
            return n
        time.sleep(0.1)
    return n


def settled_fds(server, timeout=5.0):
    """The server's fd count once it stops changing: right after a probe the
    server may not have closed the probe's connection yet, and a baseline
    that still counts it comes out one short later."""
    deadline = time.monotonic() + timeout
    last = server.fds()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        n = server.fds()
        if n == last:
            return n
        last = n
    return last


def closed_by_peer(s):
    try:
        data = s.recv(1, socket.MSG_DONTWAIT)
        return data == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


@pytest.fixture
def keys(tmp_path_factory):
    return key_dir(tmp_path_factory)


def test_ten_thousand_idle_connections(keys):
    limit = raise_nofile()
    target = min(IDLE_TARGET, limit - 200)
    with Server(keys, "--handshake-timeout", "60s", "--idle-timeout", "60s") as s:
        assert probe(s, "ping")["pongs"] == 1
        base_fds, base_rss = settled_fds(s), s.rss_kib()
        socks = open_many(s.port, target)
        try:
            held = wait_server_fds(s, base_fds + target) - base_fds
            rss = s.rss_kib()
            per_conn = (rss - base_rss) * 1024 / max(held, 1)
            print(f"\nidle connections held: {held} of {target} (client limit {limit}); "
                  f"server RSS {base_rss} -> {rss} KiB, {per_conn:.0f} B per connection")
            assert held >= target, (held, target)
            # every connection costs little: well under 16 KiB each
            assert per_conn < 16 * 1024 * mem_scale(), per_conn
            # they are still open, and the server still answers
            time.sleep(0.5)
            assert not any(closed_by_peer(x) for x in socks[::97])
            r = probe(s, "ping", count=3)
            assert r["pongs"] == 3, r
        finally:
            for x in socks:
                x.close()
        # all of them released
        left = wait_server_fds(s, base_fds + 5, at_least=False)
        assert left <= base_fds + 5, left
        assert probe(s, "ping")["pongs"] == 1


def test_connect_flood(keys):
    raise_nofile()
    with Server(keys) as s:
        base_fds = s.fds()
        t0 = time.monotonic()
        n = 0
        for round_ in range(6):
            socks = open_many(s.port, 500)
            for i, x in enumerate(socks):
                if i % 10 == 0:
                    try:
                        x.send(b"\x47" * 64)          # some send garbage
                    except OSError:
                        pass
                x.close()
            n += len(socks)
        r = probe(s, "ping", count=3)
        elapsed = time.monotonic() - t0
        print(f"\nconnect flood: {n} connections in {elapsed:.2f}s")
        assert n >= 3000
        assert r["pongs"] == 3, r
        left = wait_server_fds(s, base_fds + 5, at_least=False)
        assert left <= base_fds + 5, left
        assert s.alive()


def test_max_connections(keys):
    limit = 50
    with Server(keys, "--max-connections", limit, "--handshake-timeout", "30s") as s:
        base_fds = s.fds()
        socks = open_many(s.port, limit + 20)
        try:
            wait_server_fds(s, base_fds + limit)
            time.sleep(0.3)
            assert s.fds() - base_fds == limit
            refused = 0
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                refused = sum(closed_by_peer(x) for x in socks)
                if refused >= 20:
                    break
                time.sleep(0.1)
            assert refused == 20, refused
            # at the limit a new client is refused too
            r = probe(s, "ping", timeout=2)
            assert not r["ok"] and r["closed"], r
        finally:
            for x in socks:
                x.close()
        wait_server_fds(s, base_fds + 1, at_least=False)
        assert probe(s, "ping")["pongs"] == 1
        assert "--max-connections 50 reached" in s.stderr()


def test_idle_timeout(keys):
    with Server(keys, "--idle-timeout", "1s") as s:
        r = probe(s, "idle", idle=5)
        assert r["closed"], r
        last_answer = max(e["t_ms"] for e in r["events"] if "t_ms" in e)
        idle_ms = r["closed_after_ms"] - last_answer
        assert 900 <= idle_ms <= 2500, (idle_ms, r)
        # a client that keeps talking is not closed
        r = probe(s, "ping_loop", idle=2)
        assert r["pongs"] > 10 and not r["closed"], r


def test_sessions_per_connection(keys):
    """Up to 8 sessions share one connection; a 9th closes it."""
    with Server(keys) as s:
        r = probe(s, "sessions", count=8)
        assert r["pongs"] == 8 and not r["closed"], r
        r = probe(s, "sessions", count=9, timeout=2)
        assert r["pongs"] == 8 and r["closed"], r


def test_max_frame(keys):
    """--max-frame 64KiB: a 32 KiB echo is answered, a 100 KiB query closes
    the connection, and the server goes on."""
    with Server(keys, "--max-frame", "64KiB") as s:
        r = probe(s, "echo", size=32 * 1024)
        assert r["matched"] == 1, r
        r = probe(s, "echo", size=100 * 1024, timeout=2)
        assert r["answered"] == 0 and r["closed"], r
        # an answer larger than the frame limit is refused with an error
        r = probe(s, "echo_sized", size=100 * 1024)
        assert r["errors"] and r["errors"][0]["error_message"] == "SIZE_INVALID", r
        assert probe(s, "ping")["pongs"] == 1


def test_idle_sessions_memory(keys):
    """200 connections with an auth key, a session and one answered ping
    each, held idle: RSS per such connection is measured and bounded."""
    import json
    from server_util import probe_async
    n = 200
    with Server(keys) as s:
        assert probe(s, "ping")["pongs"] == 1
        rss0 = s.rss_kib()
        p = probe_async(s, "hold", count=n, idle=3, timeout=10)
        first = json.loads(p.stdout.readline())         # {"held": N} once all are up
        rss1 = s.rss_kib()
        out, _ = p.communicate(timeout=60)
        r = json.loads(out.decode().strip().splitlines()[-1])
        per_conn = (rss1 - rss0) * 1024 / max(first["held"], 1)
        print(f"\n{first['held']} idle sessions with keys: server RSS {rss0} -> {rss1} KiB, "
              f"{per_conn:.0f} B per connection")
        assert first["held"] == n and r["ready"] == n
        assert r["open_after"] == n, r
        assert per_conn < 64 * 1024 * mem_scale(), per_conn
