"""A throwaway PostgreSQL server for the test session: initdb into a temp dir, start on a free port, stop.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (Debian's package
creates it); as anyone else it runs as that user.
"""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found or not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} not found: install the Debian package 'postgresql' (make test does)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], as_postgres: bool) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def postgres_server():
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="wuye-pg-"))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", _free_port()
    try:
        _run([_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"],
             as_postgres)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " \
                  "-c full_page_writes=off -c autovacuum=off"  # tables are emptied with DELETE after each test
        # (tests/conftest.py): without vacuum a new row goes after the old ones, as after the TRUNCATE of before
        _run([_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"], as_postgres)
        _run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "wuye_test"], as_postgres)
        yield f"postgresql://postgres@127.0.0.1:{port}/wuye_test"
    finally:
        with contextlib.suppress(Exception):
            _run([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], as_postgres)
        shutil.rmtree(root, ignore_errors=True)
