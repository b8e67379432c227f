"""`mtload server` speaks MTProto 2.0 as real clients expect: every
transport with the auth-key handshake and a ping, every service message,
the echo methods from 0 B to 1 MiB, rpc_error for unknown methods, the
invokeWithLayer / initConnection / invokeWithoutUpdates wrappers, gzip and
zlib packed queries, quick acks and PFS (temp key + auth.bindTempAuthKey).
The client is harness/tools/probe (mt_probe), one scenario per run."""
import pytest

from server_util import Server, events, key_dir, probe

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(key_dir(tmp_path_factory), "--secret", SECRET) as s:
        yield s
        assert s.alive(), "the server died during the tests"


TRANSPORTS = [
    ("abridged", None), ("intermediate", None), ("padded", None), ("full", None),
    ("obf-abridged", None), ("obf-intermediate", None), ("obf-padded", None),
    # MTProxy: the 16-byte secret with each obfuscated transport, and the
    # "dd" form that means padded intermediate
    ("obf-abridged", SECRET), ("obf-intermediate", SECRET), ("obf-padded", "dd" + SECRET),
]


@pytest.mark.parametrize("transport,secret", TRANSPORTS,
                         ids=[t + ("+secret" if s else "") for t, s in TRANSPORTS])
def test_transport_handshake_and_ping(server, transport, secret):
    r = probe(server, "ping", transport=transport, secret=secret, count=3)
    assert r["ok"], r
    assert r["pongs"] == 3
    assert not r["closed"]
    # a session's first answer comes with new_session_created
    assert len(events(r, "new_session_created")) == 1


@pytest.mark.parametrize("transport,secret", [
    ("abridged", None), ("intermediate", None), ("padded", None), ("full", None),
    ("obf-abridged", None), ("obf-padded", "dd" + SECRET)])
def test_byte_by_byte(server, transport, secret):
    """Every byte in its own TCP segment: transport detection, the
    obfuscation header and every frame arrive split at every offset."""
    r = probe(server, "echo", transport=transport, secret=secret, size=300, trickle=True,
              timeout=10)
    assert r["ok"] and r["matched"] == 1, r


@pytest.mark.parametrize("legacy", [1, 2, 4, 7], ids=["req_pq", "inner_no_dc", "rsa_legacy", "all"])
def test_legacy_handshake_forms(server, legacy):
    """req_pq (not req_pq_multi), p_q_inner_data without dc and the RSA
    scheme before RSA_PAD are all still accepted."""
    r = probe(server, "ping", legacy=legacy)
    assert r["ok"] and r["pongs"] == 1, r


def test_secret_is_required_for_mtproxy_clients(server):
    """A client with a different MTProxy secret is not understood: closed."""
    r = probe(server, "ping", transport="obf-abridged", secret="ff" * 16, timeout=2)
    assert not r["ok"]
    assert r["closed"]


@pytest.mark.parametrize("size", [0, 1, 255, 256, 1024, 64 * 1024, 1024 * 1024])
def test_echo_sizes(server, size):
    r = probe(server, "echo", size=size, timeout=10)
    assert r["ok"], r
    assert r["answered"] == 1 and r["matched"] == 1, r


@pytest.mark.parametrize("size", [0, 1, 255, 256, 1024, 64 * 1024, 1024 * 1024])
def test_echo_sized(server, size):
    r = probe(server, "echo_sized", size=size, timeout=10)
    assert r["ok"], r
    assert r["answered"] == 1 and r["matched"] == 1, r


def test_echo_over_max_frame_is_an_error_not_silence(server):
    """echoSized of more than the frame limit (4 MiB default) is refused
    with an rpc_error, and the connection stays."""
    r = probe(server, "echo_sized", size=8 * 1024 * 1024, timeout=10)
    assert r["answered"] == 1 and r["matched"] == 0
    assert r["errors"] and r["errors"][0]["error_code"] == 400, r
    assert not r["closed"]


def test_unknown_method_is_rpc_error_400(server):
    r = probe(server, "unknown_method")
    a = r["answer"]
    assert a["type"] == "rpc_result" and a["result"] == "rpc_error", r
    assert a["error_code"] == 400
    assert a["error_message"] == "METHOD_NOT_SUPPORTED"


def test_wrappers_are_unwrapped(server):
    r = probe(server, "wrappers")
    for name in ("layer_init", "without_updates"):
        a = r[name]
        assert a and a["result"] == "nearestDc", (name, r)
        assert a["this_dc"] == a["nearest_dc"]
    assert r["layer_echo"]["result"] == "echo" and r["layer_echo"]["data_len"] == 7


def test_ping_answered_with_top_level_pong(server):
    r = probe(server, "ping")
    pong = events(r, "pong")[0]
    # pong is a top-level message (not in rpc_result) and not content-related
    assert pong["type"] == "pong" and not pong["content"]


def test_future_salts_top_level_bare_vector(server):
    r = probe(server, "future_salts")
    a = r["answer"]
    assert a and a["type"] == "future_salts", r
    assert a["n_salts"] >= 1 and not a.get("malformed")
    assert r["wrapped"] is None     # never inside rpc_result


def test_destroy_session(server):
    r = probe(server, "destroy_session")
    assert r["answer"]["result"] in ("destroy_session_none", "destroy_session_ok"), r


def test_msgs_state_req(server):
    r = probe(server, "msgs_state_req")
    assert r["pong"]
    info = r["answer"]["info"]
    assert len(info) == 2
    assert info[0] & 7 == 4        # the ping: received
    assert info[1] in (1, 2)       # never sent: unknown / not received


def test_msg_resend_req_is_answered(server):
    r = probe(server, "msg_resend_req")
    assert r["answer"] and r["answer"]["type"] == "msgs_state_info", r
    assert len(r["answer"]["info"]) == 2


def test_rpc_drop_answer(server):
    r = probe(server, "rpc_drop_answer")
    assert r["echo"]["result"] == "echo"
    # already answered: nothing left to drop
    assert r["answer"]["result"] == "rpc_answer_unknown", r


def test_msgs_ack_never_answered(server):
    """The probe acks every content-related message; no rpc_result may come
    back for an ack (clients reconnect on results for unknown queries)."""
    r = probe(server, "ping", count=5)
    sent_ids = set()
    for e in events(r, "pong"):
        sent_ids.add(e["req_msg_id"])
    for e in events(r, "rpc_result"):
        assert e["req_msg_id"] in sent_ids, e


@pytest.mark.parametrize("n", [1, 2, 16, 100, 1024])
def test_container_of_pings(server, n):
    r = probe(server, "container", count=n)
    assert r["answered"] == n == r["sent"], r


def test_container_over_1024_items_is_bad_msg_64(server):
    r = probe(server, "container", count=1025, timeout=2)
    assert r["answered"] == 0
    assert [e["error_code"] for e in events(r, "bad_msg_notification")] == [64], r
    assert not r["closed"]


def test_gzip_and_zlib_packed_queries(server):
    r = probe(server, "gzip")
    for form in ("gzip", "zlib"):
        assert r[form]["result"] == "echo", (form, r)
        assert r[form]["data_len"] == 4088


def test_salt_zero_on_new_session(server):
    r = probe(server, "salt0")
    assert r["bad_server_salt"] and r["bad_server_salt"]["error_code"] == 48, r
    assert r["pong"] and r["pong_after"]
    assert not r["closed"]


@pytest.mark.parametrize("transport", ["abridged", "intermediate", "padded", "obf-abridged"])
def test_quick_ack(server, transport):
    r = probe(server, "quick_ack", transport=transport)
    assert r["pong"]
    assert r["token"] == r["expected_token"], r


def test_temp_key_bind(server):
    r = probe(server, "bind")
    assert r["answer"] and r["answer"]["result"] == "boolTrue", r
    assert r["pong_after"]


def test_ping_delay_disconnect(server):
    r = probe(server, "ping_delay_disconnect", idle=1, timeout=5)
    assert r["pong"]
    assert r["closed"], r
    assert 900 <= r["closed_after_ms"] <= 2500, r


def test_bad_msg_id_and_seq_no_answered(server):
    r = probe(server, "msg_id_time")
    assert r["too_old"]["error_code"] == 16
    assert r["too_new"]["error_code"] == 17
    assert r["odd_msg_id"]["error_code"] == 18
    assert r["pong_after"] and not r["closed"]
    r = probe(server, "seq_parity")
    assert r["even_content"]["error_code"] == 35   # odd expected, even received
    assert r["odd_ack"]["error_code"] == 34        # even expected, odd received
    assert r["pong_after"] and not r["closed"]
