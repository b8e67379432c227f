"""`mtload run` end to end: every workload and every transport against the
reference server, each run a second or so. A run must exit 0, count every
operation of its workload, and see no error of any class."""
import pytest

import runlib

SECRET = "00112233445566778899aabbccddeeff"
COMMON = ["--sessions", 4, "--threads", 2, "--duration", "1s", "--dh-exponent-bits", 256]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("run-workloads")


@pytest.fixture(scope="module")
def server(workdir):
    s = runlib.Server(workdir, threads=1).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def secret_server(workdir):
    s = runlib.Server(workdir, "--secret", SECRET, threads=1).start()
    yield s
    s.stop()


@pytest.mark.parametrize("workload,depth,ops", [
    ("ping", 16, ["ping"]),
    ("ping_delay_disconnect:75", 4, ["ping_delay_disconnect"]),
    ("echo:100", 8, ["echo:100"]),
    ("echo:0", 8, ["echo:0"]),
    ("echo:16-2000", 8, ["echo:16-2000"]),
    ("echo:realistic", 8, ["echo:realistic"]),
    ("rpc:help.getNearestDc", 8, ["rpc:help.getNearestDc"]),
    ("rpc:{\"_\":\"help.getNearestDc\"}", 8, None),
])
def test_workload(workdir, server, workload, depth, ops):
    res = runlib.run(workdir, *COMMON, "--depth", depth, "--workload", workload, server=server)
    runlib.assert_clean(res, *(ops or []))
    names = [o["name"] for o in res.json["operations"]]
    assert "connect" in names and "handshake" in names
    assert res.counters["handshakes"] == 4


def test_weighted_mix_follows_weights(workdir, server):
    res = runlib.run(workdir, *COMMON, "--depth", 1, "--seed", 7,
                     "--workload", "ping:3,echo:64:1,rpc:'help.getNearestDc':1", server=server)
    runlib.assert_clean(res)
    ops = res.ops()
    pings, echos, rpcs = (ops[n]["count"] for n in
                          ("ping", "echo:64", "rpc:help.getNearestDc"))
    # closed loop depth 1: each request picks by weight, so the counts
    # follow 3:1:1 up to sampling noise
    assert pings + echos + rpcs > 3000
    assert 2.6 < pings / echos < 3.4, ops
    assert 0.85 < rpcs / echos < 1.15, ops


def test_handshake_storm(workdir, server):
    res = runlib.run(workdir, "--sessions", 4, "--threads", 2, "--duration", "1s",
                     "--dh-exponent-bits", 256, "--workload", "handshake", server=server)
    assert res.rc == 0, res
    c = res.counters
    # every handshake connects, creates a key and disconnects
    assert c["handshakes"] >= 20, c
    assert c["handshake_failures"] == 0 and c["connect_failures"] == 0, c
    assert c["connects"] >= c["handshakes"], c
    assert res.op("handshake")["count"] >= 20
    assert res.op("handshake")["latency_us"]["p50"] > 0
    assert res.json["errors"] == []


def test_handshake_storm_open_loop(workdir, server):
    """--rate paces handshakes like any other operation: 40/s for 2 s is
    about 80 handshakes, not as many as the sessions can do."""
    res = runlib.run(workdir, "--sessions", 4, "--threads", 1, "--duration", "2s",
                     "--dh-exponent-bits", 256, "--workload", "handshake", "--rate", 40,
                     server=server)
    assert res.rc == 0, res
    n = res.op("handshake")["count"]
    assert 60 <= n <= 90, (n, res)


@pytest.mark.parametrize("transport", ["intermediate", "abridged", "padded", "full"])
@pytest.mark.parametrize("obfuscated", [False, True])
def test_transport(workdir, server, transport, obfuscated):
    if obfuscated and transport == "full":
        pytest.skip("full has no obfuscated form")
    extra = ["--obfuscated"] if obfuscated else []
    res = runlib.run(workdir, *COMMON, "--depth", 1, "--transport", transport, *extra,
                     "--workload", "ping:4,echo:200:1", server=server)
    runlib.assert_clean(res, "ping", "echo:200")
    assert res.json["config"]["transport"] == transport


@pytest.mark.parametrize("secret,transport", [(SECRET, "intermediate"), (SECRET, "abridged"),
                                              ("dd" + SECRET, "padded")])
def test_mtproxy_secret(workdir, secret_server, secret, transport):
    res = runlib.run(workdir, *COMMON, "--depth", 1, "--obfuscated", "--secret", secret,
                     "--transport", transport, "--workload", "ping:4,echo:200:1",
                     server=secret_server)
    runlib.assert_clean(res, "ping", "echo:200")


def test_wrong_secret_fails_at_start_up(workdir, secret_server):
    """A wrong MTProxy secret: the server closes every connection, no
    session ever comes up. That is bad protocol at start-up: exit 3."""
    res = runlib.run(workdir, "--sessions", 1, "--threads", 1, "--duration", "1s",
                     "--connect-timeout", "1s", "--obfuscated",
                     "--secret", "ffeeddccbbaa99887766554433221100", server=secret_server)
    assert res.rc == 3, res


def test_pipelined_rpc_results(workdir, server):
    """Pipelined requests answered by rpc_result (echo, rpc:): the reply
    callback issues the next request while the session still holds the
    answered entry."""
    res = runlib.run(workdir, *COMMON, "--depth", 64, "--workload", "echo:100,rpc:help.getNearestDc",
                     server=server)
    assert res.rc == 0, res
    runlib.assert_clean(res)
