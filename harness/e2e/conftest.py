"""Shared fixtures for mtload's end-to-end tests.

Binaries come from MTLOAD_BUILD (a CMake build directory, default
build/release). Every server started here listens on an ephemeral loopback
port and is stopped at the end of its test. Standard library only.
"""
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MTLOAD_BUILD", ROOT / "build" / "release"))


def binary(name):
    path = BUILD / name
    if not path.exists():
        # a missing binary is a failure, never a silent skip
        pytest.fail(f"{path} not built (set MTLOAD_BUILD to a build directory)")
    return str(path)


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(host, port, timeout=10.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited early with {proc.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not open in {timeout}s")


def stop(proc, timeout=10.0):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@pytest.fixture
def mtload():
    return binary("mtload")
