"""The server `make run` starts, as it starts it: slow clients do not stall it, and it names no software.

The command is read from the Makefile's `run` target, so this measures what is served, not a copy of it.
"""
import contextlib
import http.client
import os
import re
import select
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 40  # more than any thread pool we would configure


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_command(port: int) -> list[str]:
    """The `run` target's server command, for this port."""
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    line = next(line.strip() for line in run.splitlines() if line.strip().startswith("$(BIN)/")
                and "flask" not in line)
    line = line.replace("$(BIN)", str(Path(sys.executable).parent)).replace("$(HOST)", "127.0.0.1")
    return shlex.split(line.replace("$(PORT)", str(port)))


@contextlib.contextmanager
def serving(tmp_path, **env):
    """The served command on a free port, with its own instance directory and `env` added; yields its URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "INSTANCE_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "SECRET_KEY": "serving-test", **env}
    process = subprocess.Popen(served_command(port), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline, seen = time.monotonic() + 60, ""
        while f":{port}" not in seen:  # it says where it serves once it listens
            assert process.poll() is None, seen
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"the server did not start: {seen}"
            seen += process.stdout.readline()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture
def server(tmp_path):
    with serving(tmp_path) as base:
        yield base


def _healthz(base: str) -> tuple[float, dict]:
    started = time.monotonic()
    with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
        assert response.status == 200
        return time.monotonic() - started, dict(response.headers)


def test_slow_clients_do_not_stall_the_server(server):
    host, port = server.removeprefix("http://").split(":")
    clients = []
    try:
        for _ in range(SLOW_CLIENTS):  # each declares a 1 MB login form and sends it a byte at a time
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"POST /login HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: "
                         b"application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nu")
            clients.append(sock)
        for _round in range(5):  # bounded: five rounds of one more byte from every client, /healthz between
            for sock in clients:
                sock.sendall(b"s")
            elapsed, _headers = _healthz(server)
            assert elapsed < 1.0
    finally:
        for sock in clients:
            sock.close()


def test_the_server_names_no_software(server):
    _elapsed, headers = _healthz(server)
    assert "Server" not in headers and "Via" not in headers


def test_a_body_over_the_limit_is_refused_before_it_is_read(server):
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 200000000\r\n\r\n")
        status = sock.recv(100).decode("latin-1")
    assert re.match(r"HTTP/1\.1 413", status)


def test_behind_a_trusted_proxy_the_app_sees_what_the_proxy_forwarded(tmp_path):
    # waitress drops X-Forwarded-* unless told not to; the app's TRUSTED_PROXY_HOPS alone decides what is believed.
    with serving(tmp_path, TRUSTED_PROXY_HOPS="1") as base:
        host, port = base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/login")
        page = conn.getresponse()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
        cookie = page.getheader("Set-Cookie").split(";", 1)[0]
        conn.request("POST", "/theme", body=f"csrf_token={token}&theme=dark&next=/login", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "Referer": f"https://{host}:{port}/login"})
        answer = conn.getresponse()
        answer.read()
        conn.close()
    assert answer.status == 302
    theme = next(c for c in answer.headers.get_all("Set-Cookie") if c.startswith("theme="))
    assert "Secure" in theme  # the request came over https, as nginx said
