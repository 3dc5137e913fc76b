"""Browser test helpers: Debian's chromium and a phone-sized context, a server thread, the network switch, log-in."""
import os
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest keep it from calling out of this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE_CONTEXT = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "service_workers": "allow",
                 "has_touch": True, "is_mobile": True}


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
    page.wait_for_url("**/")


KEPT_PAGES_JS = """async (paths) => {
    const names = (await caches.keys()).filter((n) => n.startsWith("wuye-pages-"));
    if (names.length !== 1) return false;
    const cache = await caches.open(names[0]);
    for (const path of paths) if (!(await cache.match(path))) return false;
    return true;
}"""


def wait_for_kept_pages(page, paths: list[str], timeout_ms: int = 10_000):
    """Wait until the service worker has kept these pages for the logged-in user.

    (page.wait_for_function does not await an async predicate's promise, so poll with evaluate.)
    """
    for _ in range(timeout_ms // 100):
        if page.evaluate(KEPT_PAGES_JS, paths):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker did not keep {paths}")
