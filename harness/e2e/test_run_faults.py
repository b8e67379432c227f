"""`mtload run` against the reference server's fault injection: each fault
shows up in its own counter, in the expected proportion; latency accuracy
(fixed delay, stall with coordinated omission); a server killed and
restarted mid-run.

The server injects faults into API queries only (service messages such as
ping are answered by its session layer), so these runs use echo."""
import csv
import signal
import time

import pytest

import runlib

# open loop: a dropped or unanswered request never slows the others
OPEN = ["--threads", 2, "--sessions", 16, "--rate", "10k", "--duration", "2s",
        "--workload", "echo:16", "--dh-exponent-bits", 256]


@pytest.fixture
def workdir(tmp_path):
    return tmp_path


def fault_run(workdir, server_args, *args, **kw):
    with runlib.Server(workdir, *server_args, "--seed", 12345, threads=1) as s:
        return runlib.run(workdir, *args, server=s, **kw)


def answered(res):
    return res.counters["responses"]


def test_drop_shows_as_timeouts(workdir):
    res = fault_run(workdir, ["--fault-drop", "1%"], *OPEN, "--request-timeout", "100ms")
    assert res.rc == 0, res
    c = res.counters
    ratio = c["timeouts"] / (c["responses"] + c["timeouts"])
    assert 0.006 <= ratio <= 0.014, (ratio, c)
    assert c["disconnects"] == 0 and c["handshake_failures"] == 0, c
    assert {e["class"] for e in res.json["errors"]} == {"io"}
    assert res.op("echo:16")["errors"] == c["timeouts"]


def test_flood_wait_is_an_rpc_error_with_its_seconds(workdir):
    res = fault_run(workdir, ["--fault-flood-wait", "5%:7"], *OPEN)
    assert res.rc == 0, res
    c = res.counters
    errs = res.errors("rpc")
    assert len(errs) == 1 and errs[0]["code"] == 420, res.json["errors"]
    assert errs[0]["message"] == "FLOOD_WAIT_X", errs
    n = errs[0]["count"]
    ratio = n / (c["responses"] + n)
    assert 0.04 <= ratio <= 0.06, (ratio, c)
    # X itself is kept: its sum and maximum
    assert c["flood_wait_max_seconds"] == 7, c
    assert c["flood_wait_seconds"] == 7 * n, c
    assert c["timeouts"] == 0 and c["disconnects"] == 0, c


def test_transport_429_is_a_transport_error(workdir):
    res = fault_run(workdir, ["--fault-transport-429", "2%"], *OPEN, "--request-timeout", "100ms")
    assert res.rc == 0, res
    c = res.counters
    errs = res.errors("transport")
    assert len(errs) == 1 and errs[0]["code"] == -429, res.json["errors"]
    n = errs[0]["count"]
    ratio = n / c["requests"]
    assert 0.014 <= ratio <= 0.026, (ratio, c)
    # the request that drew a -429 is never answered
    assert abs(c["timeouts"] - n) <= 0.1 * n + 16, c
    assert c["disconnects"] == 0, c


def test_disconnect_is_counted_and_survived(workdir):
    res = fault_run(workdir, ["--fault-disconnect", "0.2%"], *OPEN, "--backoff-min", "1ms",
                    "--backoff-max", "10ms", "--request-timeout", "500ms")
    assert res.rc == 0, res
    c = res.counters
    ratio = c["disconnects"] / c["requests"]
    assert 0.001 <= ratio <= 0.003, (ratio, c)
    # each disconnect is followed by a reconnect with the same key
    assert c["connects"] >= 16 + c["disconnects"] - 16, c
    assert c["handshakes"] == 16, c
    assert [e for e in res.json["errors"] if e["class"] == "io" and e["code"] == -501]


@pytest.mark.parametrize("every", [20, 100])
def test_bad_salt_every_n(workdir, every):
    res = fault_run(workdir, ["--fault-bad-salt-every", every], "--threads", 2, "--sessions", 4,
                    "--depth", 1, "--duration", "1s", "--workload", "echo:16",
                    "--dh-exponent-bits", 256)
    runlib.assert_clean(res, "echo:16")
    c = res.counters
    # every Nth message of a session: the client re-sends, nothing is lost
    expected = c["requests"] / every
    assert abs(c["salt_changes"] - expected) <= 0.15 * expected + 8, (c, expected)
    assert c["responses"] >= c["requests"] - 4, c


@pytest.mark.parametrize("delay_ms", [5, 20])
def test_fixed_delay_is_the_p50(workdir, delay_ms):
    res = fault_run(workdir, ["--fault-delay", f"{delay_ms}ms"], "--threads", 1, "--sessions",
                    4, "--depth", 1, "--duration", "1s", "--workload", "echo:16",
                    "--dh-exponent-bits", 256)
    runlib.assert_clean(res, "echo:16")
    lat = res.op("echo:16")["latency_us"]
    d = delay_ms * 1000.0
    # the delay plus loopback and crypto: within 5% + 300 us above D, never below
    assert d <= lat["p50"] <= d * 1.05 + 300, lat
    assert lat["min"] >= d * 0.999, lat


def test_open_loop_stall_corrected_vs_uncorrected(workdir):
    """Server silent for 0.5 s at the end of every 2 s. The corrected latency
    (from the intended send time) must show the stall; the uncorrected twin
    (from the actual send time) must not. --depth 1 caps the requests in
    flight per session (as wrk2's connections do): requests that fall due
    during the stall wait on the client and leave when the stall ends."""
    res = fault_run(workdir, ["--fault-stall", "2s:500ms"], "--threads", 1, "--sessions", 4,
                    "--rate", "2k", "--depth", 1, "--duration", "2.5s", "--workload", "echo:16",
                    "--dh-exponent-bits", 256)
    assert res.rc == 0, res
    corr = res.op("echo:16")["latency_us"]
    unc = res.op("echo:16:uncorrected")["latency_us"]
    assert corr["max"] >= 400_000, corr           # shows the stall
    assert corr["p90"] >= 100_000, corr
    assert unc["p90"] < 50_000, (corr, unc)       # does not


def test_server_killed_and_restarted_mid_run(workdir):
    srv = runlib.Server(workdir, threads=1).start()
    csv_path = workdir / "restart.csv"
    proc = runlib.start_run(workdir, "--threads", 2, "--sessions", 8, "--depth", 4,
                            "--duration", "4s", "--dh-exponent-bits", 256,
                            "--backoff-min", "20ms", "--backoff-max", "200ms",
                            "--interval", "500ms", "--csv", csv_path, server=srv)
    try:
        time.sleep(1.2)
        srv.stop(sig=signal.SIGKILL)
        time.sleep(0.5)
        again = runlib.Server(workdir, threads=1, port=srv.port).start()
        try:
            res = runlib.finish_run(proc, timeout=30)
        finally:
            again.stop()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert res.rc == 0, res
    c = res.counters
    assert c["disconnects"] >= 8, c
    # the new server does not know the keys: -404, then new keys
    assert c["handshakes"] >= 16, c
    assert c["connects"] >= 16, c
    rows = [r for r in csv.DictReader(open(csv_path)) if r["op"] == "ping"]
    t0 = float(rows[0]["timestamp"])
    # rows from 2.5 s on show traffic again; the last row is the partial
    # interval of the end-of-run drain (no new requests), so it is left out
    late = [r for r in rows[:-1] if float(r["timestamp"]) - t0 >= 2.5]
    assert late and all(int(r["count"]) > 0 for r in late), rows
    assert res.op("ping")["count"] > 0
