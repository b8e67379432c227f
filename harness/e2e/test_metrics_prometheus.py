"""The Prometheus endpoint: `promtool check metrics` reports nothing on it, and
a real Prometheus server (Debian's package) on loopback scrapes it; the
values read back through the server's HTTP API equal the run's JSON totals.
Ports are ephemeral, config and storage live in the test's temp dir, every
wait is bounded, and every process is stopped at the end."""
import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from metrics_util import tool


def need(program):
    path = shutil.which(program)
    if not path:
        pytest.fail(f"{program} not installed (Debian package prometheus)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def exporter(tmp_path):
    """A finished synthetic run that keeps serving /metrics (--linger)."""
    port_file, out = tmp_path / "port", tmp_path / "run.json"
    proc = subprocess.Popen([tool(), "synth", "--workers", "2", "--intervals", "3",
                             "--interval-ms", "100", "--rate", "1000", "--transport", "abridged",
                             "--prometheus", "127.0.0.1:0", "--port-file", str(port_file),
                             "--linger", "60", "--json", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # the JSON is written before lingering: from then on the page is final
        wait_for(lambda: out.exists() and port_file.exists(), 20, "the run to finish")
        port = int(port_file.read_text())
        yield port, json.loads(out.read_text())
    finally:
        stop(proc)
    # SIGTERM during linger ends it early and cleanly
    assert proc.returncode == 0, proc.stderr.read()


def scrape(port, path="/metrics"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def test_promtool_reports_nothing(exporter):
    port, doc = exporter
    ctype, text = scrape(port)
    assert ctype.startswith("text/plain; version=0.0.4")
    proc = subprocess.run([need("promtool"), "check", "metrics"], input=text,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc.stdout + proc.stderr
    lines = text.splitlines()
    assert f'mtload_requests_total{{transport="abridged"}} {doc["counters"]["requests"]}' in lines
    for op in doc["operations"]:
        name = op["name"]
        assert (f'mtload_latency_seconds_count{{op="{name}",transport="abridged"}} {op["count"]}'
                in lines)
        assert (f'mtload_latency_seconds_bucket{{op="{name}",transport="abridged",le="+Inf"}} '
                f'{op["count"]}' in lines)
        # buckets are cumulative and log-spaced
        buckets = [(float(line.split('le="')[1].split('"')[0]), int(line.split()[-1]))
                   for line in lines if line.startswith("mtload_latency_seconds_bucket")
                   and f'op="{name}"' in line and "+Inf" not in line]
        assert len(buckets) >= 20
        assert all(b[1] <= c[1] and b[0] < c[0] for b, c in zip(buckets, buckets[1:]))
    assert "# TYPE mtload_sessions gauge" in lines
    with pytest.raises(urllib.error.HTTPError) as e:
        scrape(port, "/other")
    assert e.value.code == 404


def query(api_port, expr):
    url = f"http://127.0.0.1:{api_port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.loads(r.read())
    except (OSError, ValueError):
        return None
    if body.get("status") != "success":
        return None
    return body["data"]["result"]


def test_real_prometheus_scrapes(exporter, tmp_path):
    port, doc = exporter
    api_port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: mtload\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{port}']\n")
    server = subprocess.Popen([need("prometheus"), f"--config.file={config}",
                               f"--storage.tsdb.path={tmp_path / 'data'}",
                               f"--web.listen-address=127.0.0.1:{api_port}", "--log.level=warn"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def scraped(expr):
            def check():
                result = query(api_port, expr)
                return result if result else None
            return wait_for(check, 45, expr)

        up = scraped('up{job="mtload"} == 1')
        assert up[0]["value"][1] == "1"
        requests = scraped("mtload_requests_total")
        assert int(float(requests[0]["value"][1])) == doc["counters"]["requests"]
        assert requests[0]["metric"]["transport"] == "abridged"
        for op in doc["operations"]:
            result = scraped(f'mtload_latency_seconds_count{{op="{op["name"]}"}}')
            assert int(float(result[0]["value"][1])) == op["count"]
        errs = scraped('mtload_errors_by_class_total{class="rpc",error="FLOOD_WAIT_X"}')
        assert int(float(errs[0]["value"][1])) == doc["operations"][0]["errors"]
        # the server can compute quantiles from the classic histogram
        q = scraped('histogram_quantile(0.5, mtload_latency_seconds_bucket{op="ping"})')
        p50 = float(q[0]["value"][1])
        assert 0.25 * doc["operations"][0]["latency_us"]["p50"] / 1e6 < p50 < \
            4 * doc["operations"][0]["latency_us"]["p50"] / 1e6
    finally:
        stop(server)
