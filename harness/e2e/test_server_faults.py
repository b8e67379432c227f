"""Each fault-injection mode of `mtload server` does what it says, measured
from the client side (mt_probe): delays are at least as long as configured,
dropped answers never come, FLOOD_WAIT_X and -429 arrive as such,
disconnects close the connection, forced salt changes make the client
re-send and get answered, and stalls hold answers back. Faults apply to RPC
answers only: service messages (ping) are still answered."""
import pytest

from server_util import Server, events, key_dir, probe


@pytest.fixture
def keys(tmp_path_factory):
    return key_dir(tmp_path_factory)


def test_fixed_delay(keys):
    with Server(keys, "--fault-delay", "200ms") as s:
        r = probe(s, "echo", size=16, count=3)
        assert r["answered"] == 3 == r["matched"], r
        assert min(r["rtt_ms"]) >= 200, r["rtt_ms"]
        assert max(r["rtt_ms"]) < 1000, r["rtt_ms"]
        # a ping is a service message: not delayed
        r = probe(s, "ping", count=3)
        assert r["pongs"] == 3 and max(r["rtt_ms"]) < 150, r["rtt_ms"]


def test_delay_distribution(keys):
    with Server(keys, "--fault-delay", "uniform:50ms-100ms", "--seed", "7") as s:
        r = probe(s, "echo", size=16, count=10)
        assert r["answered"] == 10, r
        assert min(r["rtt_ms"]) >= 50 and max(r["rtt_ms"]) < 600, r["rtt_ms"]


def test_drop_all(keys):
    with Server(keys, "--fault-drop", "100%") as s:
        r = probe(s, "echo", size=16, count=2, timeout=1)
        assert r["answered"] == 0, r
        assert not r["closed"]
        assert not events(r, "rpc_result")
        # the connection and the server still work
        assert probe(s, "ping")["pongs"] == 1


def test_drop_fraction(keys):
    with Server(keys, "--fault-drop", "50%", "--seed", "3") as s:
        r = probe(s, "echo", size=16, count=40, timeout=0.3)
        assert 8 <= r["answered"] <= 32, r["answered"]


def test_flood_wait(keys):
    with Server(keys, "--fault-flood-wait", "100%:7") as s:
        r = probe(s, "echo", size=16, count=2)
        assert r["answered"] == 2 and r["matched"] == 0
        for e in r["errors"]:
            assert e["error_code"] == 420 and e["error_message"] == "FLOOD_WAIT_7", e


def test_flood_wait_default_seconds(keys):
    with Server(keys, "--fault-flood-wait", "100%") as s:
        r = probe(s, "echo", size=16)
        assert r["errors"][0]["error_message"] == "FLOOD_WAIT_1", r


def test_transport_429(keys):
    """-429 is framed for each transport (plain, full with its CRC, padded,
    obfuscated) and the connection stays open."""
    with Server(keys, "--fault-transport-429", "100%") as s:
        for transport in ("abridged", "intermediate", "padded", "full", "obf-abridged"):
            r = probe(s, "echo", size=16, count=2, timeout=2, transport=transport)
            assert r["answered"] == 0
            codes = [e["code"] for e in events(r, "transport_error")]
            assert codes == [-429, -429], (transport, r)
            assert not r["closed"]


def test_disconnect(keys):
    with Server(keys, "--fault-disconnect", "100%") as s:
        r = probe(s, "echo", size=16, timeout=3)
        assert r["answered"] == 0
        assert r["closed"], r
        assert s.alive()
        assert probe(s, "ping")["pongs"] == 1   # pings are not requests: kept


def test_bad_salt_every(keys):
    with Server(keys, "--fault-bad-salt-every", "3") as s:
        r = probe(s, "echo", size=16, count=6)
        assert r["answered"] == 6 == r["matched"], r
        salts = events(r, "bad_server_salt")
        assert salts and all(e["error_code"] == 48 for e in salts)
        assert r["salt_resends"] == len(salts)
        assert not r["closed"]


def test_stall(keys):
    """--fault-stall 1s:400ms: answers due in the last 400 ms of every
    second wait for its end; the others come at once."""
    with Server(keys, "--fault-stall", "1s:400ms") as s:
        r = probe(s, "echo", size=16, count=30, idle=0.05, timeout=3)
        assert r["answered"] == 30, r
        rtt = r["rtt_ms"]
        assert max(rtt) >= 100, rtt          # some answer was held back
        assert max(rtt) <= 1000, rtt         # ... never past the stall
        assert min(rtt) < 50, rtt            # outside the stall: at once
