"""Real local receivers: an HTTP server on a free 127.0.0.1 port answering as a platform's robot endpoint (it
checks the JSON shape and, like DingTalk and Feishu, the signature), and an SMTP server (aiosmtpd)."""
import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def _shape_ok(kind: str, body: dict) -> bool:
    """The JSON each platform's custom robot documents for the message types we send."""
    if kind == "wecom":
        return body.get("msgtype") == "markdown" and isinstance(body.get("markdown", {}).get("content"), str)
    if kind == "dingtalk":
        md = body.get("markdown", {})
        return body.get("msgtype") == "markdown" and isinstance(md.get("title"), str) and isinstance(md.get("text"), str)
    posts = body.get("content", {}).get("post", {})
    return body.get("msg_type") == "post" and len(posts) == 1 and all(
        isinstance(p.get("title"), str) and isinstance(p.get("content"), list) for p in posts.values())


def _dingtalk_signed(query: dict, secret: str) -> bool:
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), sign)


def _feishu_signed(body: dict, secret: str) -> bool:
    timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
        return False
    expected = base64.b64encode(hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), sign)


OK = {"wecom": {"errcode": 0, "errmsg": "ok"}, "dingtalk": {"errcode": 0, "errmsg": "ok"},
      "feishu": {"code": 0, "msg": "success", "data": {}}}
BAD_BODY = {"wecom": {"errcode": 40035, "errmsg": "invalid parameter"},
            "dingtalk": {"errcode": 40035, "errmsg": "缺少参数 json"}, "feishu": {"code": 9499, "msg": "Bad Request"}}
BAD_SIGN = {"dingtalk": {"errcode": 310000, "errmsg": "sign not match"},
            "feishu": {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}}


@dataclass
class Robot:
    """A robot endpoint; `received` keeps every accepted message (the parsed JSON and the query string)."""

    kind: str
    secret: str = ""
    fail_times: int = 0  # answer 500 this many times first
    hang: bool = False  # never answer (until the test ends)
    meet: int = 0  # hold the first `meet` requests until they are all in (senders working at the same time)
    received: list = field(default_factory=list)
    requests: int = 0
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, raw: bytes) -> tuple[int, dict]:
        with self.lock:
            self.requests += 1
            waiting, failing = self.requests <= self.meet, self.requests <= self.fail_times
        if waiting:
            self.barrier.wait()
        if failing:
            return 500, {"error": "internal"}
        try:
            body = json.loads(raw)
        except ValueError:
            return 200, BAD_BODY[self.kind]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        if self.secret and self.kind == "dingtalk" and not _dingtalk_signed(query, self.secret):
            return 200, BAD_SIGN["dingtalk"]
        if self.secret and self.kind == "feishu" and not _feishu_signed(body, self.secret):
            return 200, BAD_SIGN["feishu"]
        if not _shape_ok(self.kind, body):
            return 200, BAD_BODY[self.kind]
        with self.lock:
            self.received.append({"body": body, "query": query})
        return 200, OK[self.kind]


def _serve(robot: Robot) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if robot.hang:
                robot.release.wait(30)
                return
            status, answer = robot.answer(self.path, raw)
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def robot():
    """robot("dingtalk", secret=…, fail_times=…, hang=…) starts a receiver; its URL is robot.url."""
    servers = []

    def start(kind: str, **options) -> Robot:
        receiver = Robot(kind=kind, **options)
        receiver.barrier = threading.Barrier(max(receiver.meet, 1), timeout=30)
        server = _serve(receiver)
        servers.append((server, receiver))
        path = {"wecom": "/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
                "dingtalk": "/robot/send?access_token=abcdef0123456789",
                "feishu": "/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd"}[kind]
        receiver.url = f"http://127.0.0.1:{server.server_port}{path}"
        return receiver

    yield start
    for server, receiver in servers:
        receiver.release.set()
        server.shutdown()
        server.server_close()


class Mailbox:
    def __init__(self, refuse: str = ""):
        self.refuse = refuse
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """smtp_server(refuse="550 …") starts an SMTP server on a free port; returns (mailbox, port)."""
    controllers = []

    def start(refuse: str = "") -> tuple[Mailbox, int]:
        mailbox = Mailbox(refuse)
        with socket.socket() as probe:  # the controller checks it is up by connecting: it needs a real port
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return mailbox, port

    yield start
    for controller in controllers:
        controller.stop()
