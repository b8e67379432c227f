"""Interop with a real MTProto client nobody on this project wrote: GramJS
(npm `telegram`, exact version pinned in harness/e2e/interop/package-lock.json,
installed by test.sh with `npm ci`). harness/e2e/interop/gramjs_client.js
trusts our server key at run time and drives GramJS's own Authenticator and
MTProtoSender over its abridged, full and obfuscated connections: the auth
key is created, pings are answered, sends packed into one container are all
answered, and ping_delay_disconnect closes the connection after its delay."""
import json
import pathlib
import shutil
import subprocess

import pytest

from server_util import Server, key_dir

INTEROP = pathlib.Path(__file__).resolve().parent / "interop"
TRANSPORTS = ["abridged", "full", "obfuscated"]


def gramjs(server, transport, scenario, timeout=60):
    node = shutil.which("node")
    if not node:
        pytest.fail("node is not installed (test.sh installs nodejs)")
    if not (INTEROP / "node_modules" / "telegram").exists():
        pytest.fail("GramJS is not installed: run `npm ci` in harness/e2e/interop")
    p = subprocess.run([node, str(INTEROP / "gramjs_client.js"), "--port", str(server.port),
                        "--key", server.pub, "--transport", transport, "--scenario", scenario],
                       capture_output=True, timeout=timeout, cwd=INTEROP)
    out = p.stdout.decode().strip().splitlines()
    assert out, f"gramjs_client printed nothing (rc {p.returncode}): {p.stderr.decode()[-2000:]}"
    r = json.loads(out[-1])
    assert p.returncode == 0 and "error" not in r, r
    return r


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(key_dir(tmp_path_factory)) as s:
        yield s
        assert s.alive()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_gramjs_ping(server, transport):
    r = gramjs(server, transport, "ping")
    assert r["auth_key_created"], r
    assert r["pong_ok"], r


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_gramjs_container(server, transport):
    r = gramjs(server, transport, "container")
    assert r["auth_key_created"]
    assert r["answered"] == r["sent"] == 8, r


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_gramjs_ping_delay_disconnect(server, transport):
    r = gramjs(server, transport, "ping_delay_disconnect")
    assert r["pong_ok"], r
    assert r["closed_by_server"], r
    # disconnect_delay is 1 s: closed after it, not much later
    assert 900 <= r["closed_after_ms"] <= 3000, r


def test_gramjs_fingerprint_is_the_servers(server):
    """The fingerprint GramJS computes for our public key is the one the
    server prints in its banner."""
    r = gramjs(server, "abridged", "ping")
    banner = "\n".join(server.banner)
    fp = int(r["fingerprint"]) & (2 ** 64 - 1)
    assert f"fingerprint {fp:016x}" in banner, (r["fingerprint"], banner)
