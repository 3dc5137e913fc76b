"""The app shell in a real browser on a 360×740 phone: login, home, language, logout, PWA, offline."""
import json

from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import log_in, wait_for_kept_pages


def test_a_guard_logs_in_on_a_phone_switches_language_and_logs_out(phone, world):
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    expect(page.get_by_role("heading", name="江城壹号销售中心")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()

    page.get_by_role("link", name="我的", exact=True).click()
    page.get_by_label("语言 / Language").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.get_by_role("heading", name="My projects and roles")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    assert "/login" in page.url


def test_manifest_and_service_worker_register_and_offline_reload_shows_the_shell(phone, world, live_server):
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    manifest = json.loads(page.request.get("/manifest.webmanifest").text())
    assert manifest["display"] == "standalone" and manifest["name"] == "物业现场"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])

    # wait until the service worker controls the page, with its shell precached
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    caches = page.evaluate("caches.keys()")
    assert any(name.startswith("wuye-shell-") for name in caches)

    wait_for_kept_pages(page, ["/"])

    phone.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("离线")
    page.reload()  # today's home page was kept for this user
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    expect(page.locator("#net-status")).to_have_text("离线")
    page.goto("/account")  # a page not kept: the offline page, in the shell
    expect(page.get_by_role("heading", name="当前没有网络")).to_be_visible()
    expect(page.locator("#net-status")).to_have_text("离线")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).position") in ("sticky", "fixed")

    phone.set_offline(False)
    page.get_by_role("link", name="重试").click()
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    expect(page.locator("#net-status")).to_have_text("在线")


def test_a_supervisor_edits_areas_in_place_under_the_content_security_policy(phone, world):
    page = phone.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, "supervisor", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}")
    page.get_by_label("区域名称").fill("样板间B")
    page.get_by_role("button", name="添加区域").click()
    expect(page.locator("section.area", has_text="样板间B")).to_be_visible()
    area = page.locator("#" + page.locator("section.area", has_text="样板间B").get_attribute("id"))
    expect(page.get_by_label("区域名称")).to_have_value("")  # emptied for the next one

    area.get_by_role("button", name="重命名").click()
    area.get_by_label("区域名称").fill("样板间C")
    area.get_by_role("button", name="保存").click()
    expect(area.locator("h2")).to_have_text("样板间C")

    area.get_by_label("新增巡更点").fill("主卧")
    area.get_by_role("button", name="添加").click()
    expect(area.locator("li strong", has_text="主卧")).to_be_visible()
    page.reload()
    expect(page.locator("section.area", has_text="样板间C").locator("li strong", has_text="主卧")).to_be_visible()
    assert errors == []
