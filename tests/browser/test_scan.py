"""static/js/scan.js in a real chromium, reading a QR label through a (fake) camera.

No app server: a tiny page is served from a temporary folder, under the app's CSP, and chromium's
fake camera plays a YUV4MPEG2 video of a printed label that the test draws with segno and Pillow.
"""
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, y4m_of

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"
CODE = "7ST3GCRCJCJGG3C4"
LABEL = f"http://127.0.0.1:5000/c/{CODE}"
PAYMENT = "wxp://f2f0Xy3kQmA8s9dLpT1vZrNcBgHe"  # what a WeChat Pay QR holds: not ours
CSP = "default-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'"

PAGE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>scan</title>
<script src="jsQR.js" defer></script><script src="scan.js" defer></script><script src="page.js" defer></script>
</head><body><video id="camera"></video>
<output id="code"></output><output id="foreign"></output><output id="error"></output></body></html>
"""
# The page's own script, as a file: the CSP allows no inline script.
PAGE_JS = """"use strict";
const show = (id) => (value) => { document.getElementById(id).textContent = value; };
const options = { forceFallback: new URLSearchParams(location.search).get("force") === "jsqr",
                  onForeign: show("foreign") };
window.WuyeScan.start(document.getElementById("camera"), show("code"), show("error"), options);
"""


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)  # as the app sends it
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def scan_page(tmp_path_factory):
    """The test page with the vendored decoder and scan.js, served on a free local port."""
    root = tmp_path_factory.mktemp("scan-page")
    shutil.copy(STATIC / "vendor/jsqr/jsQR.min.js", root / "jsQR.js")
    shutil.copy(STATIC / "js/scan.js", root / "scan.js")
    (root / "index.html").write_text(PAGE_HTML, encoding="utf-8")
    (root / "page.js").write_text(PAGE_JS, encoding="utf-8")
    (root / "favicon.ico").write_bytes(b"")  # else chromium's request for it logs a 404 as a console error
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def camera_on(playwright, tmp_path_factory):
    """camera_on(text) -> a chromium whose camera films a QR of that text (it takes the video at launch)."""
    browsers = {}

    def launch(text: str):
        if text not in browsers:
            video = y4m_of(text, tmp_path_factory.mktemp("video") / "label.y4m")
            fake_camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                           f"--use-file-for-fake-video-capture={video}"]
            browsers[text] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake_camera)
        return browsers[text]

    yield launch
    for browser in browsers.values():
        browser.close()


@pytest.fixture
def open_page(camera_on):
    """open_page(text, init_script=None) -> (page, errors): a fresh page on a camera filming `text`."""
    contexts = []

    def open_(text: str = LABEL, init_script: str | None = None):
        context = camera_on(text).new_context()
        contexts.append(context)
        context.set_default_timeout(5_000)
        if init_script:
            context.add_init_script(init_script)  # runs before the page's scripts; not subject to its CSP
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)  # CSP reports too
        return page, errors

    yield open_
    for context in contexts:
        context.close()


CAMERA_RELEASED = "document.getElementById('camera').srcObject === null"


@pytest.mark.parametrize("query", ["?force=jsqr", ""], ids=["jsqr", "default-decoder"])
def test_the_camera_reads_the_checkpoint_code_of_a_label(scan_page, open_page, query):
    page, errors = open_page()
    page.goto(scan_page + query)
    expect(page.locator("#code")).to_have_text(CODE)
    expect(page.locator("#error")).to_have_text("")
    page.wait_for_function(CAMERA_RELEASED)  # once read, the camera is let go (its light goes off)
    assert errors == []


# Debian's Linux chromium has no BarcodeDetector (Chrome ships it on Android, macOS, ChromeOS), so the
# native branch is driven through a stand-in with the same API that decodes with jsQR underneath.
FAKE_BARCODE_DETECTOR = """
window.nativeDetections = 0;
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["ean_13", "qr_code"]; }
  constructor(options) { if (!options.formats.includes("qr_code")) throw new TypeError("formats"); }
  async detect(video) {
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
    if (!canvas.width) return [];
    const context = canvas.getContext("2d");
    context.drawImage(video, 0, 0);
    const found = jsQR(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
    window.nativeDetections += 1;
    return found ? [{ format: "qr_code", rawValue: found.data }] : [];
  }
};
"""


def test_the_native_detector_is_used_where_the_browser_has_one(scan_page, open_page):
    page, errors = open_page(init_script=FAKE_BARCODE_DETECTOR)
    page.goto(scan_page)
    expect(page.locator("#code")).to_have_text(CODE)
    assert page.evaluate("window.nativeDetections") >= 1
    page.wait_for_function(CAMERA_RELEASED)
    assert errors == []


def test_force_jsqr_leaves_the_native_detector_alone(scan_page, open_page):
    page, errors = open_page(init_script=FAKE_BARCODE_DETECTOR)
    page.goto(scan_page + "?force=jsqr")
    expect(page.locator("#code")).to_have_text(CODE)
    assert page.evaluate("window.nativeDetections") == 0
    assert errors == []


def test_a_foreign_qr_is_reported_and_scanning_goes_on(scan_page, open_page):
    page, errors = open_page(PAYMENT)
    page.goto(scan_page)
    expect(page.locator("#foreign")).to_have_text(PAYMENT)
    assert page.evaluate("document.getElementById('camera').srcObject.active")  # still looking
    page.evaluate("WuyeScan.stop()")
    assert page.evaluate(CAMERA_RELEASED)
    expect(page.locator("#code")).to_have_text("")
    assert errors == []


@pytest.mark.parametrize("init_script, kind", [
    ("delete Navigator.prototype.mediaDevices;", "no-camera"),  # as on plain http, where there is none
    ("MediaDevices.prototype.getUserMedia = () => Promise.reject(new DOMException('x', 'NotFoundError'));",
     "no-camera"),
    ("MediaDevices.prototype.getUserMedia = () => Promise.reject(new DOMException('x', 'NotAllowedError'));",
     "denied"),
    ("MediaDevices.prototype.getUserMedia = () => Promise.reject(new DOMException('x', 'NotReadableError'));",
     "other"),
], ids=["no-media-devices", "not-found", "not-allowed", "camera-busy"])
def test_why_the_camera_did_not_open(scan_page, open_page, init_script, kind):
    page, errors = open_page(init_script=init_script)
    page.goto(scan_page)
    expect(page.locator("#error")).to_have_text(kind)
    assert page.evaluate(CAMERA_RELEASED)
    assert errors == []


PARSED = [
    (LABEL, CODE),
    (f"https://wuye.example.cn/c/{CODE}", CODE),
    (f"https://wuye.example.cn/c/{CODE.lower()}", CODE),
    (f"  {CODE}\n", CODE),
    (CODE.lower(), CODE),
    (f"https://wuye.example.cn/c/{CODE}?from=label", CODE),
    ("https://www.example.com/", None),
    (f"https://wuye.example.cn/p/{CODE}", None),
    (f"https://wuye.example.cn/c/{CODE}/extra", None),
    (f"https://wuye.example.cn/c/{CODE}X", None),
    ("https://wuye.example.cn/c/0OI1GCRCJCJGG3C4", None),  # look-alikes are not in the alphabet
    (f"javascript:alert('/c/{CODE}')", None),
    (PAYMENT, None),
    ("https://qr.alipay.com/fkx12345abcdefghijklmno", None),
    ("", None),
    (None, None),
]


def test_parse_code(scan_page, open_page):
    page, _ = open_page()
    page.goto(scan_page + "?force=jsqr")
    got = page.evaluate("(texts) => texts.map((t) => WuyeScan.parseCode(t))", [text for text, _ in PARSED])
    assert list(zip([text for text, _ in PARSED], got, strict=True)) == PARSED
