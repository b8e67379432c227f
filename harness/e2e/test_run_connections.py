"""How `mtload run` lays sessions on connections and keys: PFS temporary
keys bound to permanent ones (--temp-keys), several sessions on one
connection (--sessions-per-conn), source-address pools (--source-ips) and a
ramp of sessions (--stages-of sessions), each against `mtload server`."""
import re
import subprocess
import time

import pytest

import runlib


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("run-connections")


@pytest.fixture(scope="module")
def server(workdir):
    with runlib.Server(workdir, threads=2).start() as srv:
        yield srv


def test_temp_keys_are_bound_to_permanent_keys(server, workdir):
    """Each connection creates a permanent key, then a temporary key, and
    binds them with auth.bindTempAuthKey (which the server verifies) before
    its workload starts; the saved keys are the permanent ones, and a run
    that reuses them creates only the temporary keys."""
    keys = workdir / "perm.keys"
    res = runlib.run(workdir, "--sessions", 4, "--threads", 2, "--depth", 8, "--duration", "1s",
                     "--temp-keys", "--dh-exponent-bits", 256, "--save-keys", keys, server=server)
    runlib.assert_clean(res, "ping")
    assert res.counters["connects"] == 4, res.counters
    assert res.counters["handshakes"] == 8, res.counters       # permanent + temporary each
    assert len([ln for ln in keys.read_text().splitlines() if ln and not ln.startswith("#")]) == 4
    again = runlib.run(workdir, "--sessions", 4, "--threads", 2, "--depth", 8, "--duration", "1s",
                       "--temp-keys", "--dh-exponent-bits", 256, "--keys", keys,
                       "--rsa-key", server.pub, server=server, json_name="again.json")
    runlib.assert_clean(again, "ping")
    assert again.counters["handshakes"] == 4, again.counters   # temporary keys only


def test_temp_key_bind_refused_for_unknown_permanent_key(workdir):
    """A fresh server has never seen the permanent keys: every bind is
    refused, no session gets going, and the run says the target speaks bad
    protocol (exit 3) rather than reporting an empty success."""
    keys = workdir / "elsewhere.keys"
    with runlib.Server(workdir, threads=1, key_name="first.pem").start() as first:
        res = runlib.run(workdir, "--sessions", 2, "--threads", 1, "--duration", "500ms",
                         "--temp-keys", "--dh-exponent-bits", 256, "--save-keys", keys,
                         server=first, json_name="first.json")
        assert res.rc == 0, res
    with runlib.Server(workdir, threads=1, key_name="second.pem").start() as second:
        res = runlib.run(workdir, "--sessions", 2, "--threads", 1, "--duration", "1s",
                         "--temp-keys", "--dh-exponent-bits", 256, "--keys", keys,
                         "--rsa-key", second.pub, server=second, json_name="second.json")
    assert res.op("ping")["count"] == 0, res
    assert any(e["class"] == "rpc" and e["code"] == 400 for e in res.json["errors"]), res.json["errors"]


def test_sessions_share_connections(server, workdir):
    """8 sessions, 4 per connection: 2 connections, 2 keys, every session's
    requests answered (replies are routed by session_id)."""
    res = runlib.run(workdir, "--sessions", 8, "--sessions-per-conn", 4, "--threads", 2,
                     "--depth", 8, "--duration", "1s", "--dh-exponent-bits", 256,
                     "--workload", "ping:1,echo:64:1", server=server, json_name="spc.json")
    runlib.assert_clean(res)
    assert res.counters["connects"] == 2, res.counters
    assert res.counters["handshakes"] == 2, res.counters
    assert res.counters["requests"] == res.counters["responses"] or \
        res.counters["responses"] >= 0.99 * res.counters["requests"], res.counters


def test_source_ip_pool(server, workdir):
    """--source-ips spreads the connections over local addresses: while the
    run holds its connections, the kernel's socket table shows them coming
    from 127.0.0.2 .. 127.0.0.5."""
    proc = runlib.start_run(workdir, "--sessions", 8, "--threads", 1, "--rate", 200,
                            "--duration", "3s", "--dh-exponent-bits", 256,
                            "--source-ips", "127.0.0.2-127.0.0.5", server=server,
                            json_name="src.json")
    seen = set()
    try:
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline and len(seen) < 4:
            out = subprocess.run(["ss", "-tn", "state", "established", "dst", server.target],
                                 capture_output=True, text=True).stdout
            seen |= set(re.findall(r"(127\.0\.0\.\d+):\d+\s+" + re.escape(server.target), out))
            time.sleep(0.1)
        res = runlib.finish_run(proc, timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    runlib.assert_clean(res, "ping")
    assert seen == {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}, seen


def test_sessions_ramp(server, workdir):
    """--stages-of sessions: 0 -> 6 sessions over 1 s, held 1 s; every one is
    created (once) and runs closed loop."""
    res = runlib.run(workdir, "--stages", "1s:6,1s:6", "--stages-of", "sessions", "--threads", 2,
                     "--depth", 4, "--dh-exponent-bits", 256, server=server, json_name="ramp.json")
    runlib.assert_clean(res, "ping")
    assert res.counters["connects"] == 6, res.counters


def test_handshake_storm_keys_feed_a_steady_state(server, workdir):
    """The README's flow: a handshake storm saves the last key each session
    made, and a steady-state run reuses them without a single handshake."""
    keys = workdir / "storm.keys"
    storm = runlib.run(workdir, "--workload", "handshake", "--sessions", 6, "--threads", 2,
                       "--duration", "1s", "--dh-exponent-bits", 256, "--save-keys", keys,
                       server=server, json_name="storm.json")
    assert storm.rc == 0, storm
    assert storm.counters["handshakes"] >= 6, storm.counters
    lines = [ln for ln in keys.read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 6, lines
    steady = runlib.run(workdir, "--keys", keys, "--sessions", 6, "--threads", 2, "--rate", 600,
                        "--duration", "1s", server=server, json_name="steady.json")
    runlib.assert_clean(steady, "ping")
    assert steady.counters["handshakes"] == 0, steady.counters
