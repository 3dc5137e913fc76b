"""The README's screenshots, one per role's main page, from a running app with fresh demo data.

    scripts/screenshots.py http://127.0.0.1:5000 [--out docs/screenshots] [--language zh_Hans|zh_Hant|en]

Each user is switched to the language for the shot and back to 简体中文 after it.
"""
import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "device_scale_factor": 1}
# (file, user, device, the page (or a link on the home page) if not the home page)
SHOTS = [
    ("home-phone", "guard1", PHONE, None),
    ("patrol-walk-phone", "guard1", PHONE, "main a[href$='/walk']"),
    ("my-shift-phone", "attendant1", PHONE, "/projects/1/my-shift"),
    ("handover-phone", "attendant1", PHONE, "/rooms/1/handover"),
    ("engineer-phone", "engineer1", PHONE, None),
    ("inspection-tablet", "inspector1", TABLET, "/projects/1/inspections/new"),
    ("supervisor-tablet", "supervisor1", TABLET, None),
    ("duty-phone", "guard1", PHONE, "/projects/2/duty"),
    ("month-tablet", "manager1", TABLET, "/organisations/1/month"),
]


def _language(page, code: str) -> None:
    page.goto("/account")
    page.select_option("#locale", code)
    page.locator(".language-form button[type=submit]").click()
    page.wait_for_load_state("load")


def shoot(browser, base: str, out: Path, language: str, name: str, user: str, device: dict, target: str | None):
    context = browser.new_context(**device, base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", user)
    page.fill("#password", "demo1234")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)  # home, or where home sends (a manager: the month)
    _language(page, language)
    page.goto("/")
    if target and target.startswith("/"):
        page.goto(target)
    elif target:  # a link on the home page
        page.locator(target).first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / f"{name}.png"))
    _language(page, "zh_Hans")
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--language", default="zh_Hans")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for shot in SHOTS:
            shoot(browser, args.base, out, args.language, *shot)
        browser.close()


if __name__ == "__main__":
    main()
