"""Bad input, each class a test: `mtload server` answers with the transport
error or closes THAT connection, keeps serving everyone else (a healthy
client pinging at the same time loses nothing), logs each class once per
worker, and its memory stays bounded (VmRSS before/after many repetitions).
"""
import collections
import re

import pytest

from server_util import Server, events, key_dir, mem_scale, probe, probe_async, probe_result

THREADS = 2
REPEAT = 20
RSS_GROWTH_KIB = 16 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(key_dir(tmp_path_factory), "--handshake-timeout", "1s", threads=THREADS) as s:
        # warm up: the first handshakes allocate the workers' buffers
        for _ in range(3):
            assert probe(s, "ping")["pongs"] == 1
        yield s
        assert s.alive(), "the server died during the bad-input tests"


def under_attack(server, scenario, repeat=REPEAT, neighbour_s=1.5, **kw):
    """Run the bad scenario `repeat` times while a healthy client pings;
    returns the bad runs' results. Checks the neighbour and the memory."""
    rss0 = server.rss_kib()
    neighbour = probe_async(server, "ping_loop", idle=neighbour_s, timeout=2)
    results = [probe(server, scenario, **kw) for _ in range(repeat)]
    n = probe_result(neighbour)
    assert n["ok"] and n["pongs"] > 0 and n["lost"] == 0 and not n["closed"], n
    rss1 = server.rss_kib()
    assert rss1 - rss0 < RSS_GROWTH_KIB * mem_scale(), (rss0, rss1)
    assert server.alive()
    return results


def test_garbage_first_bytes(server):
    for r in under_attack(server, "garbage", raw=True):
        assert r["closed"], r


def test_garbage_frame_unknown_key(server):
    """A well-framed packet of random bytes: its auth_key_id is unknown."""
    for r in under_attack(server, "garbage_frame"):
        assert [e["code"] for e in events(r, "transport_error")] == [-404], r
        assert r["closed"]


@pytest.mark.parametrize("transport", ["abridged", "intermediate", "full", "obf-padded"])
def test_truncated_frame_then_eof(server, transport):
    for r in under_attack(server, "truncated", transport=transport, repeat=5):
        assert r["closed"], r
        assert r["closed_after_ms"] < 1000


def test_truncated_frame_then_silence(server):
    """Part of a frame and then nothing: closed by the handshake timeout."""
    for r in under_attack(server, "truncated", idle=4, repeat=1, neighbour_s=1.0):
        assert r["closed"], r
        assert 900 <= r["closed_after_ms"] <= 3000, r


@pytest.mark.parametrize("transport,length", [
    ("intermediate", 2 ** 31),           # also the quick-ack bit with length 0
    ("intermediate", 2 ** 31 - 4),
    ("padded", 2 ** 31 - 4),
    ("full", 2 ** 31),
    ("abridged", 0xFFFFFF7F),            # 0x7f + 2^24-1 words = 64 MiB > --max-frame
])
def test_huge_frame_length(server, transport, length):
    for r in under_attack(server, "huge_len", transport=transport, size=length, repeat=5):
        assert r["closed"], r
        assert r["closed_after_ms"] < 1000


def test_wrong_auth_key_id(server):
    for r in under_attack(server, "wrong_key_id"):
        assert [e["code"] for e in events(r, "transport_error")] == [-404], r
        assert r["closed"]


def test_bad_msg_key(server):
    for r in under_attack(server, "bad_msg_key", repeat=10):
        assert r["pong_before"]
        assert r["closed"], r
        assert not events(r, "rpc_result")


def test_replayed_msg_id(server):
    for r in under_attack(server, "replay", repeat=3):
        assert r["pongs"] == 1, r          # the replay is not answered again
        assert r["pong_after"] and not r["closed"]


def test_bad_msg_id_time_and_parity(server):
    for r in under_attack(server, "msg_id_time", repeat=5):
        assert (r["too_old"]["error_code"], r["too_new"]["error_code"],
                r["odd_msg_id"]["error_code"]) == (16, 17, 18)
        assert r["pong_after"] and not r["closed"]


def test_bad_handshake_message(server):
    for r in under_attack(server, "bad_handshake"):
        assert [e["code"] for e in events(r, "transport_error")] == [-404], r
        assert r["closed"]


def test_handshake_stopped_half_way(server):
    """req_pq_multi, then silence: closed after --handshake-timeout 1s."""
    procs = []
    rss0 = server.rss_kib()
    neighbour = probe_async(server, "ping_loop", idle=2.0, timeout=2)
    for _ in range(10):
        procs.append(probe_async(server, "half_handshake", idle=4))
    results = [probe_result(p) for p in procs]
    n = probe_result(neighbour)
    assert n["pongs"] > 0 and n["lost"] == 0, n
    for r in results:
        assert events(r, "plain"), r                       # resPQ came
        assert r["closed"], r
        assert 900 <= r["closed_after_ms"] <= 3000, r
    assert server.rss_kib() - rss0 < RSS_GROWTH_KIB * mem_scale()


def test_each_class_logged_once_per_worker(server):
    """Run last in this module: every warning line of the server names its
    class once per worker; repetitions are only counted."""
    lines = [ln for ln in server.stderr().splitlines() if "server worker" in ln]
    assert lines, "the bad inputs were not logged at all"
    per = collections.Counter(re.sub(r"[0-9a-f]{16}", "ID", ln) for ln in lines)
    for line, n in per.items():
        assert n == 1, (line, n)
    assert all("further ones are only counted" in ln for ln in lines)


def test_client_that_never_reads(server):
    """Tiny queries for 1 MB answers, never read: what the server holds for
    that connection must stay bounded (output buffer 2 x --max-frame)."""
    import time
    rss0 = server.rss_kib()
    p = probe_async(server, "no_read", count=200, size=1_000_000, idle=3)
    time.sleep(1.5)
    grown = server.rss_kib() - rss0
    r = probe_result(p)
    assert r["sent"] == 200
    assert grown < 64 * 1024, f"server RSS grew by {grown} KiB for one connection"


def test_each_bad_connection_counted_once(tmp_path_factory):
    """One unknown-key connection and one bad-msg_key connection: the
    stop summary's errors by class count each exactly once."""
    s = Server(key_dir(tmp_path_factory))
    try:
        assert events(probe(s, "wrong_key_id"), "transport_error")
        assert probe(s, "bad_msg_key")["closed"]
    finally:
        s.stop()
    counts = dict(re.findall(r"^\s+protocol\s+(-\d+)\s.*?\s(\d+)\s*$", s.out, re.M))
    assert counts.get("-104") == "1", s.out
    assert counts.get("-101") == "1", s.out
