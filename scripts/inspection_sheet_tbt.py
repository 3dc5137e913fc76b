"""Blocking time of the inspection sheet in chromium at 4x CPU throttling: loading it, tapping 30 items, and one
tap split into script and style + layout (issue 15, build 4). Run: PYTHONPATH=. .venv/bin/python scripts/inspection_sheet_tbt.py
"""
import logging
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from scripts.bench import log_in_page, setup_app  # noqa: E402
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OBSERVE = """window.__long = []; new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__long.push(entry.duration); }).observe({type: "longtask", buffered: true});"""
ONE_TAP = """() => { const form = document.getElementById("inspection-form"); let script = 0, style = 0;
  const fails = [...form.querySelectorAll(".inspect-item input[value=fail]")].slice(0, 20);
  for (const input of fails) {
    let t = performance.now(); input.checked = true; form.dispatchEvent(new Event("change", {bubbles: true}));
    script += performance.now() - t; t = performance.now(); document.body.offsetHeight; style += performance.now() - t;
  }
  return [script / fails.length, style / fails.length]; }"""


def blocking(page) -> float:
    return sum(max(0, d - 50) for d in page.evaluate("window.__long.splice(0)"))


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, setup_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1024, "height": 768},
                                      base_url=f"http://127.0.0.1:{server.server_port}")
        page = context.new_page()
        log_in_page(page, "inspector1")
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        page.add_init_script(OBSERVE)
        load, taps = [], []
        for _ in range(3):
            page.goto("/projects/1/inspections/new")
            page.wait_for_timeout(500)
            load.append(blocking(page))
            for label in page.locator(".inspect-item .seg-pass").all()[:30]:
                label.click()
            page.wait_for_timeout(300)
            taps.append(blocking(page))
        script, style = page.evaluate(ONE_TAP)
        elements = page.evaluate("document.querySelectorAll('*').length")
        print(f"elements {elements}; blocking: load "
              f"{statistics.median(load):.0f} ms, 30 taps {statistics.median(taps):.0f} ms; "
              f"one tap: script {script:.1f} ms, style + layout {style:.1f} ms")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
