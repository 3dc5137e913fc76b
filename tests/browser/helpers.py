"""Browser test helpers: Debian's chromium and a phone-sized context, a server thread, the network switch, log-in,
a fake camera's video of a QR label, and a counter of what a user does."""
import io
import os
import threading
from pathlib import Path

import segno
from PIL import Image
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest keep it from calling out of this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE_CONTEXT = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "service_workers": "allow",
                 "has_touch": True, "is_mobile": True}


def y4m_of(text: str, path: Path, width: int = 640, height: int = 480, frames: int = 5) -> Path:
    """A short uncompressed video (YUV4MPEG2, 4:2:0) of a QR label held still in front of the camera."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=8, border=4)  # white quiet zone, 8 px a module
    label = Image.open(png).convert("RGB")
    frame = Image.new("RGB", (width, height), (200, 200, 190))  # a wall, not pure white
    frame.paste(label, ((width - label.width) // 2, (height - label.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)  # 4:2:0: one chroma sample per 2x2 block, averaged
    planes = y.tobytes() + cb.resize(half, Image.BOX).tobytes() + cr.resize(half, Image.BOX).tobytes()
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + planes) * frames)
    return path


class OneShotHandler(WSGIRequestHandler):
    """HTTP/1.0, one request per connection: once stopped, the server really is unreachable."""

    protocol_version = "HTTP/1.0"


class ServerThread:
    """A WSGI app served on 127.0.0.1 in a thread; it can be stopped and started again on the same port."""

    def __init__(self, wsgi_app, port: int = 0):
        self.wsgi_app, self.port, self.server, self.thread = wsgi_app, port, None, None

    def start(self) -> "ServerThread":
        self.server = make_server("127.0.0.1", self.port, self.wsgi_app, threaded=True, request_handler=OneShotHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        server, thread = self.server, self.thread  # a restart may replace them while this runs in another thread
        server.shutdown()
        server.server_close()  # connections are refused, as from a server that is down
        thread.join()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Network:
    """The phone's network, cut for real: the page is set offline *and* the server goes down.

    Offline emulation alone is not enough: the browser wakes the service worker for Background Sync
    on the machine's real network state, and a restarted worker may not be emulated offline.
    """

    def __init__(self, context, server: ServerThread):
        self.context, self.server = context, server

    def cut(self):
        self.context.set_offline(True)
        self.server.stop()

    def restore(self):
        self.server.start()
        self.context.set_offline(False)


def log_in(page, username: str, password: str):
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)  # home, or where home sends (a manager: the month)


KEPT_PAGES_JS = """async (paths) => {
    const names = (await caches.keys()).filter((n) => n.startsWith("wuye-pages-"));
    if (names.length !== 1) return false;
    const cache = await caches.open(names[0]);
    for (const path of paths) if (!(await cache.match(path))) return false;
    return true;
}"""


def enter_code(page, code: str):
    """On a round's page, type a checkpoint's code by hand (opening the manual entry if it is closed)."""
    field = page.get_by_label("巡更点编码(标签二维码下方的 16 位字符)")
    if not field.is_visible():
        page.get_by_text("无法扫码?手动输入编码").click()
    field.fill(code)
    page.get_by_role("button", name="确定").click()


def wait_for_kept_pages(page, paths: list[str], timeout_ms: int = 20_000):
    """Wait until the service worker has kept these pages for the logged-in user.

    (page.wait_for_function does not await an async predicate's promise, so poll with evaluate.)
    """
    for _ in range(timeout_ms // 100):
        if page.evaluate(KEPT_PAGES_JS, paths):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker did not keep {paths}")


class Actions:
    """What a user does on a page, counted as the field-fit targets count it: each tap (a click, a radio, a
    file chosen, an option picked, a signature stroke, a key that submits) is one action, and typing a value
    is one action per field. The log names each action, for the failure message."""

    def __init__(self, page):
        self.page, self.log = page, []

    def _note(self, kind: str, locator, what: str | None = None) -> None:
        name = what or locator.evaluate("(el) => (el.getAttribute('aria-label') || el.textContent || el.id || el.name).trim()")
        self.log.append(f"{kind}: {' '.join(name.split())[:40]}")

    def tap(self, locator, what: str | None = None) -> None:
        self._note("tap", locator, what)
        locator.click()

    def check(self, locator, what: str | None = None) -> None:
        self._note("tap", locator, what)
        locator.check()

    def type(self, locator, value: str, what: str | None = None) -> None:
        self._note("type", locator, what)
        locator.fill(value)

    def choose_files(self, locator, files, what: str | None = None) -> None:
        self._note("photo", locator, what)
        locator.set_input_files(files)

    def pick(self, locator, what: str | None = None, **option) -> None:
        self._note("pick", locator, what)
        locator.select_option(**option)

    def stroke(self, draw, what: str) -> None:
        """A gesture the test performs itself (a signature): one action."""
        self.log.append(f"stroke: {what}")
        draw()

    def press(self, locator, key: str, what: str | None = None) -> None:
        self._note("key", locator, what)
        locator.press(key)

    @property
    def count(self) -> int:
        return len(self.log)

    def __str__(self) -> str:
        return f"{self.count} actions:\n" + "\n".join(self.log)


def wait_for_row(page, db, statement, timeout_ms: int = 20_000):
    """The row a phone's record makes, once the outbox has delivered it (the badge may read ✓ before it starts)."""
    for _ in range(timeout_ms // 100):
        db.expire_all()
        row = db.exec(statement).first()
        if row is not None:
            return row
        page.wait_for_timeout(100)
    raise AssertionError(f"no row for {statement}")


SYNCED_JS = """async () => {
    const userId = Number(document.body.dataset.userId);
    return (await window.WuyeOutbox.list(userId)).filter((e) => e.state === "synced").length;
}"""


def wait_until_synced(page, count: int, timeout_ms: int = 20_000):
    """Wait until this many outbox entries have reached the server (the badge alone may not have caught up yet)."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(SYNCED_JS) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"fewer than {count} outbox entries synced")
