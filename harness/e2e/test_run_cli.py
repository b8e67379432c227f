"""`mtload run` exit codes and outputs: usage errors name every bad flag
(exit 2), an unreachable or wrong target exits 3, a failed threshold 99,
SIGINT still writes the results; --json, --csv and --hlog."""
import json
import signal
import socket
import time

import pytest

import runlib


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("run-cli")


@pytest.fixture(scope="module")
def server(workdir):
    s = runlib.Server(workdir, threads=1).start()
    yield s
    s.stop()


@pytest.mark.parametrize("args,named", [
    (["--sessions", "0"], "--sessions"),
    (["--sessions", "-3"], "--sessions"),
    (["--duration", "10parsecs"], "--duration"),
    (["--transport", "carrier-pigeon"], "--transport"),
    (["--transport", "full", "--obfuscated"], "--transport"),
    (["--secret", "00112233"], "--secret"),
    (["--workload", "nosuchop"], "--workload"),
    (["--workload", "echo:2MiB"], "--workload"),
    (["--workload", "handshake", "--depth", "4"], "--depth"),
    (["--threads", "9", "--sessions", "4"], "--threads"),
    (["--stages", "1s:1k", "--duration", "1s"], "--duration"),
    (["--dh-exponent-bits", "1024"], "--dh-exponent-bits"),
    (["--threshold", "p99<<5ms"], "--threshold"),
    (["--bogus-flag"], "--bogus-flag"),
    (["--json", "same.json", "--csv", "same.json"], "--csv"),
])
def test_bad_flag_exits_2_and_is_named(workdir, server, args, named):
    res = runlib.run(workdir, *args, server=server, want_json=False, timeout=20)
    assert res.rc == 2, res
    assert named in res.stderr, res.stderr


def test_all_bad_flags_are_named_at_once(workdir, server):
    res = runlib.run(workdir, "--sessions", "0", "--duration", "xx", "--transport", "nope",
                     server=server, want_json=False, timeout=20)
    assert res.rc == 2, res
    for flag in ("--sessions", "--duration", "--transport"):
        assert flag in res.stderr, res.stderr


def test_missing_target_exits_2(workdir):
    res = runlib.run(workdir, "--duration", "1s", want_json=False, timeout=20)
    assert res.rc == 2 and "--target" in res.stderr, res


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))        # bound, never listening: connects are refused
    return s


def test_closed_port_exits_3_early(workdir, server):
    """Exit 3 once the connect timeout (+2 s) has passed with nothing up,
    without waiting for the end of a long run."""
    with closed_port() as s:
        res = runlib.run(workdir, "--target", f"127.0.0.1:{s.getsockname()[1]}",
                         "--rsa-key", server.pub, "--sessions", 2, "--duration", "20s",
                         "--connect-timeout", "500ms", "--backoff-max", "200ms",
                         want_json=False, timeout=30)
    assert res.rc == 3, res
    assert res.elapsed < 8, res
    assert "unreachable" in res.stderr


def test_closed_port_exits_3_in_a_short_run(workdir, server):
    """A run shorter than connect timeout + 2 s in which nothing ever
    connected is just as unreachable."""
    with closed_port() as s:
        res = runlib.run(workdir, "--target", f"127.0.0.1:{s.getsockname()[1]}",
                         "--rsa-key", server.pub, "--sessions", 2, "--duration", "1s",
                         "--connect-timeout", "500ms", "--backoff-max", "200ms",
                         want_json=False, timeout=30)
    assert res.rc == 3, res


def test_wrong_rsa_key_exits_3(workdir, server, tmp_path):
    other = runlib.Server(tmp_path, threads=1).start()   # its own, different key
    other.stop()
    res = runlib.run(workdir, "--rsa-key", other.pub, "--sessions", 2, "--duration", "6s",
                     "--connect-timeout", "500ms", "--backoff-max", "200ms", server=server,
                     want_json=False, timeout=30)
    assert res.rc == 3, res
    assert res.elapsed < 5, res
    assert "bad protocol" in res.stderr


def test_unreadable_rsa_key_exits_2(workdir, server):
    res = runlib.run(workdir, "--rsa-key", workdir / "no-such.pem", "--duration", "1s",
                     server=server, want_json=False, timeout=20)
    assert res.rc == 2 and "--rsa-key" in res.stderr, res


@pytest.mark.parametrize("expr,rc", [("p50<1us", 99), ("p99<10s", 0), ("rps>100G", 99),
                                     ("ping:p50<=10s", 0), ("error_rate<1%", 0)])
def test_threshold_exit_code(workdir, server, expr, rc):
    res = runlib.run(workdir, "--sessions", 2, "--threads", 1, "--depth", 4, "--duration",
                     "500ms", "--threshold", expr, server=server)
    assert res.rc == rc, res
    assert res.json["thresholds_ok"] == (rc == 0)
    assert len(res.json["thresholds"]) == 1


def test_sigint_still_writes_json(workdir, server):
    proc = runlib.start_run(workdir, "--sessions", 2, "--threads", 1, "--depth", 4,
                            "--duration", "30s", server=server, json_name="sigint.json")
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    res = runlib.finish_run(proc, timeout=20)
    assert res.elapsed < 10, res
    assert res.rc == 0, res
    assert res.json["interrupted"] is True
    assert res.op("ping")["count"] > 0
    assert 0.3 < res.json["duration_s"] < 5


def test_outputs(workdir, server):
    csv_path, hlog = workdir / "out.csv", workdir / "out.hlog"
    res = runlib.run(workdir, "--sessions", 2, "--threads", 2, "--depth", 4, "--duration",
                     "2s", "--interval", "500ms", "--workload", "ping:3,echo:64:1",
                     "--csv", csv_path, "--hlog", hlog, server=server)
    runlib.assert_clean(res, "ping", "echo:64")
    j = res.json
    assert j["kind"] == "run" and j["interrupted"] is False
    for o in ("ping", "echo:64"):
        lat = res.op(o)["latency_us"]
        for p in ("p50", "p90", "p99", "p999", "p9999", "max"):
            assert p in lat
        assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"] <= lat["max"]
        assert res.op(o)["histogram"]
    assert j["totals"]["count"] == sum(o["count"] for o in j["operations"])
    ping_rows, sliver = runlib.csv_rows(csv_path, "ping")
    assert len(ping_rows) == 4, ping_rows      # one per 500 ms interval, the last one too
    every = ping_rows + ([sliver] if sliver else [])
    assert sum(int(r["count"]) for r in every) == res.op("ping")["count"]
    text = hlog.read_text().splitlines()
    assert text[0].startswith("#[") and any("StartTime" in ln for ln in text)
    assert any(ln.startswith('"StartTimestamp"') for ln in text)
    body = [ln for ln in text if ln and not ln.startswith(("#", '"'))]
    assert len(body) >= 3, text[:10]
