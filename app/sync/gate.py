"""Outbox uploads that carry photos, a few at a time in each server process.

Waitress serves requests first come, first served from one queue and a few threads. When 200 guards' phones send
their photos at once, a supervisor's page waited behind every upload in that queue, and every thread was busy
with photos. So `PHOTO_UPLOADS_AT_ONCE` photo-sized uploads (about one per core) are worked on at a time,
`PHOTO_UPLOADS_WAITING` more wait their turn (so a turn given back is taken at once, each waiting on one of the
server's threads), and one arriving beyond those is answered at once, before its body is parsed or its user
loaded (in the language its session cookie remembers), with 503 and Retry-After: the phone's outbox sends it again
later, as after any passing trouble, and nothing of it was written. The queue then holds cheap refusals rather than
photo work, and pages keep threads of their own. Smaller posts (records without photos) are never held back.
"""
import os
import threading

from flask import Flask, current_app, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.i18n import cookie_locale

PHOTO_SIZED = 64 * 1024  # bytes of body above which an outbox upload is taken to carry photos
PATH = "/api/v1/records/"
WAIT_SECONDS = 5.0  # the longest an admitted upload waits for its turn before it too is sent back
RETRY_AFTER, RETRY_SPREAD = 2, 4  # a refused upload comes back after 2 to 5 s (static/js/outbox.js honours it)


class Gate:
    def __init__(self, slots: int, waiting: int, wait_seconds: float = WAIT_SECONDS):
        self.working = threading.BoundedSemaphore(slots)
        self.limit, self.admitted, self.wait = slots + waiting, 0, wait_seconds
        self.lock = threading.Lock()
        self.refused = 0

    def retry_after(self) -> int:
        """Seconds for the phone to wait after a refusal: 2, 3, 4, 5, 2, … in turn, so the phones sent back
        together come back spread out (all at once, most would find the places taken again)."""
        with self.lock:
            self.refused += 1
            return RETRY_AFTER + (self.refused - 1) % RETRY_SPREAD

    def enter(self) -> bool:
        """Take a turn, waiting for one if few enough wait already; False: come back later."""
        with self.lock:
            if self.admitted >= self.limit:
                return False
            self.admitted += 1
        if self.working.acquire(timeout=self.wait):
            return True
        with self.lock:
            self.admitted -= 1
        return False

    def leave(self) -> None:
        self.working.release()
        with self.lock:
            self.admitted -= 1


def slots_per_process() -> int:
    """The cores shared out among the server's processes (WEB_PROCESSES, which app/core/serve.py sets before it
    makes the app), at least one."""
    return max(1, (os.cpu_count() or 2) // int(os.environ.get("WEB_PROCESSES") or 1))


def init_app(app: Flask) -> None:
    """Register the first before_request hook, so an upload sent back costs no parsing."""
    app.extensions["photo_gate"] = Gate(app.config["PHOTO_UPLOADS_AT_ONCE"] or slots_per_process(),
                                        app.config["PHOTO_UPLOADS_WAITING"])

    @app.before_request
    def let_in():
        if (request.method != "POST" or not request.path.startswith(PATH)
                or (request.content_length or 0) <= PHOTO_SIZED):
            return None
        gate = current_app.extensions["photo_gate"]
        if not gate.enter():
            with force_locale(cookie_locale()):  # the user is not loaded for a refusal (a query, a connection)
                message = _("服务器正忙于处理其他照片,请稍后重试。")
            body = {"error": {"code": 503, "message": message, "fields": {}}}
            return jsonify(body), 503, {"Retry-After": str(gate.retry_after()), "Cache-Control": "no-store"}
        g.photo_gate = gate
        return None

    @app.teardown_request
    def let_out(_exc):
        if (gate := g.pop("photo_gate", None)) is not None:
            gate.leave()
