"""Browser tests: the app served on a free local port, driven by Playwright in Debian's chromium."""
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest keep it from calling out of this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (its own cookies, storage and service worker)."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="zh-CN", service_workers="allow",
                                  has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def log_in(page, username: str, password: str):
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def wait_for_kept_pages(page, paths: list[str]):
    """Wait until the service worker has kept these pages for the logged-in user."""
    page.wait_for_function(
        """async (paths) => {
            const names = (await caches.keys()).filter((n) => n.startsWith("wuye-pages-"));
            if (names.length !== 1) return false;
            const cache = await caches.open(names[0]);
            for (const path of paths) if (!(await cache.match(path))) return false;
            return true;
        }""",
        arg=paths, polling=200,
    )
