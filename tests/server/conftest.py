"""Starts kittentts-server processes on free loopback ports for the tests, and stops them."""
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "data", "fixture")
BIN = os.environ.get("KITTENTTS_SERVER_BIN", os.path.join(ROOT, "target", "release", "kittentts-server"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *args, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = (env or {}).get("KITTENTTS_API_KEY")
        cmd = [BIN, "--model", FIXTURE, "--port", str(self.port), *args]
        self.log = open(os.path.join(ROOT, "target", f"server-{self.port}.log"), "wb")
        full_env = dict(os.environ)
        full_env.pop("KITTENTTS_API_KEY", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
            with contextlib.suppress(OSError):
                key = (env or {}).get("KITTENTTS_API_KEY")
                req = urllib.request.Request(self.url + "/health", headers={"Authorization": f"Bearer {key}"} if key else {})
                with urllib.request.urlopen(req, timeout=2) as r:
                    if r.status == 200:
                        return
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def metrics(self):
        req = urllib.request.Request(self.url + "/metrics", headers={"Authorization": f"Bearer {self.key}"} if self.key else {})
        with urllib.request.urlopen(req, timeout=5) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def server():
    s = Server("--sessions", "2", "--threads", "1")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def keyed_server():
    s = Server(env={"KITTENTTS_API_KEY": "s3cret"})
    yield s
    s.stop()


@pytest.fixture()
def make_server():
    started = []

    def make(*args, **kw):
        s = Server(*args, **kw)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


def proc_status(pid, key):
    """A /proc/PID/status field in MB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def post_json(url, body, headers=None, raw=None, timeout=30):
    """POST and return (status, headers, body bytes), errors included."""
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
