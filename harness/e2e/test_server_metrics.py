"""`mtload server --prometheus`: the server's own counters on /metrics
while it runs (connections, handshakes, requests, errors), and the same
numbers in the summary it prints when stopped."""
import re
import time
import urllib.request

from server_util import Server, events, key_dir, probe


def scrape(url):
    with urllib.request.urlopen(url, timeout=2) as r:
        text = r.read().decode()
    values = {}
    for line in text.splitlines():
        m = re.match(r'^(mtload_\w+)\{[^}]*\}\s+(\S+)$', line)
        if m and m.group(1) not in values:
            values[m.group(1)] = float(m.group(2))
    return values


def test_prometheus_counters(tmp_path_factory):
    with Server(key_dir(tmp_path_factory), "--prometheus", "127.0.0.1:0", banner_lines=3) as s:
        m = re.search(r"metrics on (http://\S+/metrics)", "\n".join(s.banner))
        assert m, s.banner
        url = m.group(1)
        r = probe(s, "echo", size=8, count=10)
        assert r["matched"] == 10
        assert events(probe(s, "wrong_key_id"), "transport_error")
        deadline = time.monotonic() + 8
        v = scrape(url)
        while time.monotonic() < deadline and v.get("mtload_requests_total", 0) < 10:
            time.sleep(0.25)
            v = scrape(url)
        assert v["mtload_requests_total"] == 10, v
        assert v["mtload_responses_total"] >= 10, v
        assert v["mtload_handshakes_total"] == 1, v
        assert v["mtload_connects_total"] >= 2, v
        assert v["mtload_errors_total"] >= 1, v
    # the stop summary counts the same
    rows = dict(re.findall(r"^(handshake|rpc)\s+(\d+)\s", s.out, re.M))
    assert rows == {"handshake": "1", "rpc": "10"}, s.out
