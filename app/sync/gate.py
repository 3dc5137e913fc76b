"""Outbox uploads that carry photos, a few at a time in each server process.

Waitress serves requests first come, first served from one queue and a few threads. When 200 guards' phones send
their photos at once, a supervisor's page waited behind every upload in that queue, and every thread was busy
with photos. So `PHOTO_UPLOADS_AT_ONCE` photo-sized uploads (about one per core) are worked on at a time,
`PHOTO_UPLOADS_WAITING` more wait their turn (so a turn given back is taken at once, each waiting on one of the
server's threads), and one arriving beyond those is answered at once, before its body is parsed or its user
loaded (in the language its session cookie remembers), with 503 and Retry-After: the phone's outbox sends it again
later, as after any passing trouble, and nothing of it was written. The queue then holds cheap refusals rather than
photo work, and pages keep threads of their own. Smaller posts (records without photos) are never held back.
The phone is told when its turn will be free (Retry-After): after the uploads admitted and those sent back before
it, at the pace turns have been taking, so phones sent back together return one after another as turns free up,
neither all at once nor after the server has gone idle (a fixed 2-5 s left it idle, its queue drained in under a
second, while 150 phones slept: at 200 guards the burst took 2x the bare app's time, a third of it sending again).
"""
import math
import os
import threading
import time

from flask import Flask, current_app, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.i18n import cookie_locale

PHOTO_SIZED = 64 * 1024  # bytes of body above which an outbox upload is taken to carry photos
PATH = "/api/v1/records/"
WAIT_SECONDS = 5.0  # the longest an admitted upload waits for its turn before it too is sent back
TURN_SECONDS = 0.05  # what a turn is taken to last until some have been timed (a 300 KB photo: 25-35 ms)
RETRY_MAX = 60  # seconds: the longest a phone is told to wait (static/js/outbox.js honours Retry-After)


class Gate:
    def __init__(self, slots: int, waiting: int, wait_seconds: float = WAIT_SECONDS):
        self.working = threading.BoundedSemaphore(slots)
        self.slots, self.limit, self.admitted, self.wait = slots, slots + waiting, 0, wait_seconds
        self.lock = threading.Lock()
        self.turn_seconds = TURN_SECONDS  # a moving mean of the turns timed
        self.promised = 0.0  # time.monotonic() by which the phones sent back so far will have had their turns
        self.refused = 0

    def retry_after(self) -> int:
        """Seconds for a refused phone to wait: until the uploads admitted and those sent back before it have had
        their turns, each as long as turns have lately lasted, `slots` at once; at least 1 (whole seconds)."""
        with self.lock:
            self.refused += 1
            now, pace = time.monotonic(), self.turn_seconds / self.slots
            self.promised = max(self.promised, now + self.admitted * pace) + pace
            return max(1, min(RETRY_MAX, math.ceil(self.promised - now)))

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

    def leave(self, seconds: float) -> None:
        """Give the turn back, after `seconds` of it."""
        self.working.release()
        with self.lock:
            self.admitted -= 1
            self.turn_seconds += (seconds - self.turn_seconds) / 8


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
        g.photo_gate, g.photo_turn_from = gate, time.monotonic()
        return None

    @app.teardown_request
    def let_out(_exc):
        if (gate := g.pop("photo_gate", None)) is not None:
            gate.leave(time.monotonic() - g.photo_turn_from)
