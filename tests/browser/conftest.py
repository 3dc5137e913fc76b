"""Browser tests: the app served on a free local port, driven by Playwright in Debian's chromium."""
import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE_CONTEXT, Network, ServerThread


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    server = ServerThread(app).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded 2-core machine (both backends at once) is slow, not wrong
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
