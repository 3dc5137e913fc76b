"""Browser tests: the app served on a free local port, driven by Playwright in Debian's chromium."""
import os
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest keep it from calling out of this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE_CONTEXT = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "service_workers": "allow",
                 "has_touch": True, "is_mobile": True}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture(scope="session")
def live_server(app):
    server = ServerThread(app).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (its own cookies, storage and service worker)."""
    context = browser.new_context(**PHONE_CONTEXT, base_url=live_server)
    context.set_default_timeout(10_000)
    yield context
    context.close()


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


@pytest.fixture
def site(app):
    """This test's own server, which the test may stop and start (same port, same database)."""
    server = ServerThread(app).start()
    yield server
    if server.thread.is_alive():
        server.stop()


@pytest.fixture
def offline_phone(browser, site):
    """A phone-sized context on this test's own server, with its network switch."""
    context = browser.new_context(**PHONE_CONTEXT, base_url=site.url)
    context.set_default_timeout(10_000)
    yield context, Network(context, site)
    context.close()


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
