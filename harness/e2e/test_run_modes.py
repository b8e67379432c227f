"""`mtload run` load shapes end to end: closed and open loop, stages,
warmup, churn (--reconnect-every) and the --save-keys/--keys round trip."""
import pytest

import runlib

BASE = ["--threads", 2, "--dh-exponent-bits", 256]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("run-modes")


@pytest.fixture(scope="module")
def server(workdir):
    s = runlib.Server(workdir, threads=1).start()
    yield s
    s.stop()


def test_closed_loop_depth_pipelines(workdir, server):
    one = runlib.run(workdir, *BASE, "--sessions", 2, "--depth", 1, "--duration", "1s",
                     server=server)
    many = runlib.run(workdir, *BASE, "--sessions", 2, "--depth", 32, "--duration", "1s",
                      server=server)
    runlib.assert_clean(one, "ping")
    runlib.assert_clean(many, "ping")
    assert one.json["config"]["depth"] == "1"
    # pipelining must pay: 32 in flight per session beats one at a time
    assert many.op("ping")["count"] > 2 * one.op("ping")["count"], (one.op("ping"), many.op("ping"))
    # closed loop has no uncorrected twin
    assert "ping:uncorrected" not in many.ops()


@pytest.mark.parametrize("rate", [2000, 20000])
def test_open_loop_rate_is_exact(workdir, server, rate):
    res = runlib.run(workdir, *BASE, "--sessions", 8, "--rate", rate, "--duration", "2s",
                     server=server)
    runlib.assert_clean(res, "ping", "ping:uncorrected")
    achieved = res.op("ping")["count"] / res.json["duration_s"]
    assert abs(achieved - rate) <= 0.03 * rate, (achieved, rate)
    # both latency figures exist; the corrected one is never below the other
    c, u = res.op("ping")["latency_us"], res.op("ping:uncorrected")["latency_us"]
    assert res.op("ping:uncorrected")["count"] == res.op("ping")["count"]
    assert c["p50"] >= u["p50"] * 0.99 and c["max"] >= u["max"] * 0.99, (c, u)


def test_open_loop_above_capacity_shows_the_backlog(workdir, server):
    """An offered rate the pair cannot serve, with a cap on requests in
    flight: requests that fall due at the cap wait on the client, so the
    corrected latency (from the intended send time) grows with the backlog
    while the uncorrected one stays near a round trip of the capped queue.
    Without a cap the backlog's place depends on how fast the client is
    against the server (in the server's queue both figures see it)."""
    res = runlib.run(workdir, *BASE, "--sessions", 8, "--rate", "5M", "--depth", 16,
                     "--duration", "1s", "--request-timeout", "30s", server=server, timeout=60)
    assert res.rc == 0, res
    c = res.op("ping")["latency_us"]
    u = res.op("ping:uncorrected")["latency_us"]
    print(f"\nabove capacity: p50 {c['p50']:.0f} us corrected, {u['p50']:.0f} us uncorrected")
    # compared at the median: the tails of both hold the requests answered
    # in the end-of-run drain
    assert c["p50"] > 10 * u["p50"], (c, u)


def test_stages_ramp_the_rate(workdir, server):
    csv_path = workdir / "stages.csv"
    res = runlib.run(workdir, *BASE, "--sessions", 8, "--stages", "2s:20k,1s:20k",
                     "--interval", "500ms", "--csv", csv_path, server=server)
    runlib.assert_clean(res, "ping")
    # area under the ramp: 0 -> 20k over 2 s (20k requests), then 1 s at 20k
    total = res.op("ping")["count"]
    assert 36000 <= total <= 41000, total
    rows, _ = runlib.csv_rows(csv_path, "ping")
    rates = [float(r["rate"]) for r in rows]
    assert len(rates) >= 5, rows
    # the ramp: each of the first four half-seconds is faster than the one before
    assert all(b > a for a, b in zip(rates[:4], rates[1:4])), rates
    assert rates[0] < 5000 and rates[-1] > 17000, rates


def test_warmup_is_excluded(workdir, server):
    res = runlib.run(workdir, *BASE, "--sessions", 4, "--rate", "10k", "--warmup", "1s",
                     "--duration", "1s", server=server)
    assert res.rc == 0, res
    assert res.json["duration_s"] == pytest.approx(1.0, abs=0.05)
    n = res.op("ping")["count"]
    # only the measured second: 10k, not 20k
    assert 9500 <= n <= 10500, n
    # the handshakes happened in the warmup
    assert res.op("handshake")["count"] == 0
    assert res.elapsed >= 2.0


@pytest.mark.parametrize("every", [50, 200])
def test_reconnect_every(workdir, server, every):
    res = runlib.run(workdir, *BASE, "--sessions", 4, "--depth", 1, "--duration", "1s",
                     "--reconnect-every", every, server=server)
    runlib.assert_clean(res, "ping")
    c = res.counters
    expected = c["requests"] / every
    # one connection per `every` requests, plus the sessions' first ones
    assert abs(c["connects"] - 4 - expected) <= 0.1 * expected + 8, (c, expected)
    # reconnects keep the key: no new handshakes
    assert c["handshakes"] == 4, c
    assert c["disconnects"] == 0, c


def test_keys_round_trip(workdir, server):
    keys = workdir / "keys.txt"
    first = runlib.run(workdir, *BASE, "--sessions", 6, "--duration", "200ms",
                       "--save-keys", keys, server=server)
    runlib.assert_clean(first, "ping")
    assert first.counters["handshakes"] == 6
    lines = [ln for ln in keys.read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 6, lines
    for ln in lines:
        key, salt = ln.split()
        assert len(key) == 512 and len(salt) == 16
        int(key, 16), int(salt, 16)
    assert (keys.stat().st_mode & 0o777) == 0o600
    # second run: keys from the file, no handshake at all
    second = runlib.run(workdir, "--rsa-key", server.pub, "--keys", keys, "--threads", 2,
                        "--sessions", 6, "--depth", 8, "--duration", "1s", server=server)
    runlib.assert_clean(second, "ping")
    assert second.counters["handshakes"] == 0, second.counters
    assert second.counters["connects"] == 6


def test_keys_without_rsa_key(workdir, server):
    """docs/cli.md: --rsa-key is not needed when the run only reuses --keys."""
    keys = workdir / "keys-norsa.txt"
    first = runlib.run(workdir, *BASE, "--sessions", 2, "--duration", "100ms",
                       "--save-keys", keys, server=server)
    assert first.rc == 0, first
    second = runlib.run(workdir, "--keys", keys, "--threads", 1, "--sessions", 2,
                        "--duration", "500ms", server=server)
    runlib.assert_clean(second, "ping")
    assert second.counters["handshakes"] == 0, second.counters
