"""`make run`'s server: waitress in one process per core, every process accepting on one listening socket.

One Python process runs Python on one core at a time (the GIL): a waitress process on a 2-core machine took
200 photo uploads in 7.0 s whatever the number of threads or of photos let in at once, one core idle beside it.
So the listening socket is opened here and each of `--processes` forked children serves it with waitress (whose
async loop still reads each body whole before a thread sees it, docs/deploy.md): the kernel hands each new
connection to a process whose loop is free to take it. A child that dies is started again; SIGTERM or Ctrl-C
stops them all. The app is made once, before the children are forked (so it is ready when the address is
printed); each child opens database connections of its own. What the app keeps in a process — the photo gate's
turns, the decoding budget — is per process (app/sync/gate.py shares the cores out among them).
"""
import argparse
import contextlib
import os
import signal
import socket
import sys
import time

from waitress import create_server

# waitress's options as `make run` serves (docs/deploy.md, "Why waitress", explains each)
OPTIONS = {"threads": 32, "recv_bytes": 65536, "connection_limit": 500, "channel_timeout": 60,
           "max_request_body_size": 64 * 1024 * 1024, "ident": "", "clear_untrusted_proxy_headers": False}


def listening(host: str, port: int) -> socket.socket:
    return socket.create_server((host, port), backlog=1024)


def _child(app, sock: socket.socket, options: dict) -> int:
    """Fork one serving process; its pid."""
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent's Ctrl-C stops it through SIGTERM
        if (engine := app.extensions.get("engine")) is not None:
            engine.dispose(close=False)  # the parent's pooled connections are not this process's to use
        create_server(app, sockets=[sock], **options).run()
        status = 0
    finally:
        os._exit(status)


def serve(app, sock: socket.socket, processes: int, **options) -> None:
    """Serve `sock` with `processes` forked children, each running waitress over `app`, until SIGTERM or SIGINT; a
    child that ends is started again (a second later, so a crash does not spin)."""
    options = {**OPTIONS, **options}
    children, stopping = set(), False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children.update(_child(app, sock, options) for _ in range(processes))
    while children:
        pid, _status = os.wait()
        children.discard(pid)
        if not stopping:
            time.sleep(1)
            if not stopping:
                children.add(_child(app, sock, options))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=None, help="default: WEB_PROCESSES, else the cores")
    args = parser.parse_args(argv)
    processes = args.processes or int(os.environ.get("WEB_PROCESSES") or os.cpu_count() or 1)
    os.environ["WEB_PROCESSES"] = str(processes)  # the photo gate shares the cores out (app/sync/gate.py)
    from app import create_app

    app, sock = create_app(), listening(args.host, args.port)
    print(f"Serving on http://{args.host}:{sock.getsockname()[1]} ({processes} processes × {OPTIONS['threads']} "
          "threads)", flush=True)
    serve(app, sock, processes)
    sys.exit(0)


if __name__ == "__main__":
    main()
