"""The outside audit of issue 14, rerun: the app served as `make run` serves it (waitress + the clock), attacked
from the outside, one PASS/FAIL line per defect; then the fault run (uploads cut mid-body, refused by the server,
killed with SIGKILL, replayed) and `flask media check`; then a flood of large PNGs at the residents' form while the
worker's memory and `/healthz` are sampled.

    python scripts/audit.py                          # SQLite, then the same on a throwaway PostgreSQL
    python scripts/audit.py --backend sqlite --cycles 200
    python scripts/audit.py --url http://127.0.0.1:5000 --only checks   # a server you started (demo data)

Each server gets its own directory (database, media, secret) and a free port. With `--url` only the checks run
that need nothing but HTTP (the fault run kills and restarts the server, the flood reads its memory).
Exit status 1 when any line FAILs. `make audit` runs it; docs/audit.md holds the last results.
"""
import argparse
import concurrent.futures as futures
import contextlib
import http.client
import io
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg import postgres_server  # noqa: E402
from tests.test_serving import _free_port, served_command  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "audit-secret"
PASSWORD = "demo1234"
VICTIM = "audit-victim"  # a throwaway account the throttle check locks
FLOOD_POSTS = int(os.environ.get("AUDIT_FLOOD_POSTS", 40))
RESULTS: list[tuple[str, bool, str]] = []


def report(item: str, ok: bool, detail: str = "") -> bool:
    RESULTS.append((item, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {item}" + (f"  ({detail})" if detail else ""), flush=True)
    return ok


# -- HTTP, as a browser or a phone speaks it (stdlib only) -------------------------------------------------------

class Answer:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, elapsed: float):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]] = ()) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode("utf-8", "surrogatepass") + b"\r\n")
    for name, filename, data in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Client:
    """One user's cookies; redirects are not followed, so a Location can be judged."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.host, self.port = urlsplit(self.base).hostname, urlsplit(self.base).port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 120) -> Answer:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie = rest.split(";", 1)[0]
            if cookie and "max-age=0" not in value.lower() and "expires=thu, 01 jan 1970" not in value.lower():
                self.cookies[name.strip()] = cookie
            else:
                self.cookies.pop(name.strip(), None)
        return Answer(response.status, response.headers, data, time.monotonic() - started)

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def form(self, path: str, fields: dict | list, **kw) -> Answer:
        return self.request("POST", path, urlencode(fields, doseq=True).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf(),
                             **kw.pop("headers", {})}, **kw)

    def csrf(self) -> str:
        page = self.get("/login").text if not self.cookies else self.get("/api/v1/session").text
        found = re.search(r'"csrf_token"\s*:\s*"([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        return (found.group(1) or found.group(2)) if found else ""

    def login(self, username: str, password: str = PASSWORD, remember: bool = False, next_: str = "") -> Answer:
        token = self.csrf()
        fields = {"csrf_token": token, "username": username, "password": password}
        if remember:
            fields["remember"] = "1"
        return self.request("POST", "/login" + (f"?next={next_}" if next_ else ""), urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def record(self, client_id: str, envelope: dict | str, photos: list[tuple[str, bytes]] = (), token: str = "",
               **kw) -> Answer:
        raw = envelope if isinstance(envelope, str) else json.dumps(envelope)
        body, ctype = multipart([("record", raw)], [("photos", name, data) for name, data in photos])
        return self.request("POST", f"/api/v1/records/{client_id}", body,
                            {"Content-Type": ctype, "X-CSRFToken": token or self.csrf()}, **kw)


def logged_in(base: str, username: str) -> Client:
    client = Client(base)
    answer = client.login(username)
    assert answer.status == 302, f"{username} could not log in: {answer.status}"
    return client


def healthz(base: str, timeout: float = 5) -> float:
    """Seconds /healthz took (timeout + 1 when it did not answer in time)."""
    try:
        answer = Client(base).get("/healthz", timeout=timeout)
        return answer.elapsed if answer.status == 200 else timeout + 1
    except OSError:
        return timeout + 1


def jpeg(size=(1600, 1200)) -> bytes:
    image = Image.effect_noise(size, 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def large_png(side: int) -> bytes:
    """A side × side PNG a few hundred KB long: cheap to send, costly to decode."""
    image = Image.new("RGB", (side, side), (200, 180, 160))
    for y in range(0, side, 500):
        image.paste((20, 40, 60), (0, y, side, y + 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=9)
    return out.getvalue()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


# -- the served app: its own directory, the Makefile's command, the clock beside it ------------------------------

class Served:
    def __init__(self, root: Path, database_url: str, **env):
        self.root, self.port = root, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "FLASK_APP": "app",
                    "INSTANCE_DIR": str(root), "MEDIA_ROOT": str(root / "media"), "DATABASE_URL": database_url,
                    "SECRET_KEY": SECRET, **env}
        self.server = self.clock = None

    def flask(self, *args, check=True, **env) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env={**self.env, **env}, check=check,
                              capture_output=True, text=True)

    def prepare(self) -> None:
        subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        self.flask("seed-demo", "--if-empty")
        self.flask("create-user", VICTIM, "--name", "审计账号", WUYE_PASSWORD=PASSWORD)

    def start(self) -> None:
        self.server = subprocess.Popen(served_command(self.port), cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                       stderr=open(self.root / "server.log", "a"))
        deadline = time.monotonic() + 90
        while healthz(self.base, 1) > 1:
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: see {self.root / 'server.log'}")
            time.sleep(0.2)
        if self.clock is None:
            self.clock = subprocess.Popen([str(BIN / "flask"), "tick", "--loop", "--stop-with", str(os.getpid())],
                                          cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                          stderr=open(self.root / "clock.log", "a"))

    def kill(self) -> None:
        self.server.send_signal(signal.SIGKILL)
        self.server.wait(30)

    def stop(self) -> None:
        for process in (self.server, self.clock):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(15)
        self.server = self.clock = None

    def rss_mb(self) -> float:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.server.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0


class World:
    """The ids the checks need, read once from the demo database (what an attacker would enumerate)."""

    def __init__(self, database_url: str):
        import sqlalchemy as sa
        self.engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.sa = sa
        rows = self.rows
        self.users = dict(rows("select username, id from \"user\""))
        self.projects = dict(rows("select name, id from project"))
        self.sales, self.estate = self.projects["江城壹号销售中心"], self.projects["滨江花园"]
        self.area = rows("select id from area where project_id = :p order by id", p=self.sales)[0][0]
        room_id, version_id = rows("select id, current_version_id from handover_room order by id")[0]
        items = rows("select items from handover_inventory_version where id = :v", v=version_id)[0][0]
        items = json.loads(items) if isinstance(items, str) else items
        self.handover = {"room_id": str(room_id), "version_id": str(version_id),
                         **{f"status-{i['key']}": "present" for i in items},
                         **{f"found-{i['key']}": str(i["quantity"]) for i in items}}
        self.post_id = rows("select id from shift_post where project_id = :p order by id", p=self.sales)[0][0]
        self.pattern_id = rows("select id from shift_pattern where project_id = :p order by id", p=self.sales)[0][0]
        self.estate_route = rows("select id from patrol_route where project_id = :p order by id", p=self.estate)[0][0]

    def rows(self, sql: str, **params) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(self.sa.text(sql), params)]


def ticket_report(world: World, description: str = "审计:大厅入口地砖松动") -> dict:
    return {"kind": "ticket_report", "project_id": world.sales, "client_time": now_iso(),
            "data": {"description": description, "location": "入口左侧", "area_id": str(world.area)}}


def handover(world: World, password: str) -> dict:
    return {"kind": "room_handover", "project_id": world.sales, "client_time": now_iso(),
            "data": {**world.handover, "incoming_id": str(world.users["attendant2"]), "incoming_password": password}}


def signatures() -> list[tuple[str, bytes]]:
    def ink(colour):
        image = Image.new("RGB", (300, 100), "white")
        image.paste(colour, (20, 40, 280, 60))
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()
    return [("sign-outgoing~1.png", ink((20, 20, 20))), ("sign-incoming~2.png", ink((10, 10, 90)))]


# -- the fifteen defects, from the outside -------------------------------------------------------------------------

def is_foreign(base: str, location: str) -> bool:
    """Whether a browser following this Location leaves the site (it drops tabs/newlines, reads \\ as /)."""
    normalised = re.sub(r"[\t\n\r]", "", location or "").replace("\\", "/")
    return urlsplit(urljoin(base + "/", normalised)).netloc != urlsplit(base).netloc


def check_open_redirect(base: str) -> None:
    client = logged_in(base, "guard1")
    answers = [client.get("/login?next=/%09/evil.example/path"), client.get("/login?next=/%5Cevil.example"),
               client.form("/locale", {"locale": "zh_Hans", "next": "/\t/evil.example/"})]
    fresh = Client(base)
    answers.append(fresh.login("guard1", next_="/%09/evil.example/path"))
    crash = Client(base).get("/login?next=/%0a/x")
    foreign = [a.headers.get("Location") for a in answers if is_foreign(base, a.headers.get("Location", ""))]
    report("1 open redirect via next", not foreign and crash.status < 500,
           f"foreign Locations {foreign}, /%0a/ → {crash.status}")


def check_logout(base: str) -> None:
    client = Client(base)
    client.login("guard1", remember=True)
    copied = dict(client.cookies)
    client.form("/logout", {})
    replay, remember_only = Client(base), Client(base)
    replay.cookies = dict(copied)
    remember_only.cookies = {k: v for k, v in copied.items() if "remember" in k}
    seen = [replay.get("/").status, remember_only.get("/").status]
    report("2 session after logout", all(s in (302, 401) for s in seen) and remember_only.cookies != {},
           f"copied cookies {sorted(copied)} → {seen}")


def check_slow_clients(base: str, clients: int = 40) -> None:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    socks, worst = [], 0.0
    try:
        for _ in range(clients):
            sock = socket.create_connection((host, port), timeout=5)
            sock.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 1000000\r\n\r\nu")
            socks.append(sock)
        for _round in range(10):
            for sock in socks:
                sock.sendall(b"s")
            worst = max(worst, healthz(base, 2))
            time.sleep(1)
    finally:
        for sock in socks:
            sock.close()
    report(f"3 /healthz with {clients} slow clients", worst < 1.0, f"slowest {worst * 1000:.0f} ms over 10 rounds")


def resident_link(base: str, world: World) -> str:
    page = logged_in(base, "supervisor1").get(f"/projects/{world.sales}/resident-link").text
    return re.search(r"(/r/[A-Za-z0-9_.\-]+)", page).group(1)


def resident_post(base: str, link: str, fields: dict, photos: list[bytes] = (), ip: str = "",
                  stamp: str | None = None) -> Answer:
    client = Client(base)
    page = client.get(link).text
    stamp = stamp or re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    body, ctype = multipart([("csrf_token", token.group(1) if token else ""), ("stamp", stamp), *fields.items()],
                            [("photos", f"p{i}.png", raw) for i, raw in enumerate(photos)])
    headers = {"Content-Type": ctype, **({"X-Forwarded-For": ip} if ip else {})}
    return client.request("POST", link, body, headers)


def stamp_of(base: str, link: str) -> str:
    return re.search(r'name="stamp" value="([^"]+)"', Client(base).get(link).text).group(1)


RESIDENT = {"name": "审计居民", "phone": "13800138000", "location": "3 栋 1 单元", "description": "楼道灯不亮"}


def check_resident_form(base: str, world: World, png_7000: bytes) -> int:
    """Items 4, 5 and 10: the resident's request (its ticket id returned), refusals before decoding, the limit."""
    link = resident_link(base, world)
    stamp = stamp_of(base, link)
    time.sleep(3.2)  # the form's minimum fill time
    accepted = resident_post(base, link, RESIDENT, stamp=stamp)
    ticket = world.rows("select id from ticket where source = 'resident' order by id desc")[0][0]
    refused = resident_post(base, link, {**RESIDENT, "description": ""}, [png_7000] * 4, stamp=stamp)
    statuses = [accepted.status, refused.status]
    for n in range(6):  # a new X-Forwarded-For each time: with no trusted proxy it changes nothing
        statuses.append(resident_post(base, link, {**RESIDENT, "phone": ""}, ip=f"203.0.113.{n}",
                                      stamp=stamp).status)
    report("4 resident form: a refused post decodes nothing and counts", refused.status == 422
           and refused.elapsed < 2 and 429 in statuses, f"4 PNGs 7000x7000 refused in {refused.elapsed:.2f} s; "
           f"statuses {statuses}")
    report("5 proxy headers not trusted by default (TRUSTED_PROXY_HOPS=0)", statuses[-1] == 429,
           f"spoofed X-Forwarded-For → {statuses[2:]}")
    return ticket


def check_login_throttle(base: str) -> None:
    with futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _n: Client(base).login(VICTIM, "wrong-password").status, range(16)))
    checked = sum(s != 429 for s in statuses)
    report("6 login throttle under 16 parallel tries", checked <= 5, f"{checked} checked, limit 5")


def check_handover_lock(base: str, world: World) -> None:
    attendant = logged_in(base, "attendant1")
    statuses = [attendant.record(str(uuid.uuid4()), handover(world, "wrong-password"), signatures()).status
                for _n in range(7)]
    own_login = Client(base).login("attendant2").status
    report("7 handover password cannot lock a colleague out", own_login == 302,
           f"7 wrong handovers {statuses}, colleague's own login → {own_login}")


def check_malformed(base: str, world: World) -> None:
    seen = {}
    for label, disposition in (("no name", "form-data"), ("name=a\\", 'form-data; name="a\\"')):
        body = f"--b\r\nContent-Disposition: {disposition}\r\n\r\nx\r\n--b--\r\n".encode()
        seen[f"multipart {label}"] = Client(base).request("POST", "/login", body, {
            "Content-Type": "multipart/form-data; boundary=b"}).status
    guard = logged_in(base, "guard1")
    token = guard.csrf()
    for label, raw in (("[ * 100000", "[" * 100000),
                       ("project_id 10**30", json.dumps({**ticket_report(world), "project_id": 10 ** 30})),
                       ("lone surrogate", json.dumps(ticket_report(world, "灯\ud800"))),
                       ("NUL in text", json.dumps(ticket_report(world, "灯\x00坏")))):
        seen[f"sync {label}"] = guard.record(str(uuid.uuid4()), raw, token=token).status
    seen["login NUL"] = Client(base).login("gu\x00ard1", "x").status
    seen["/r/status NUL"] = Client(base).get("/r/status/abc%00def").status
    seen["/c NUL"] = guard.get("/c/AB%00CD").status
    seen["search NUL"] = logged_in(base, "admin").get("/admin/users?q=a%00b").status
    report("8 malformed input never a 500", all(s < 500 for s in seen.values()), json.dumps(seen))


def check_photos(base: str, world: World) -> None:
    attendant = logged_in(base, "attendant1")
    done = attendant.record(str(uuid.uuid4()), handover(world, PASSWORD), signatures() + [("photo~3.jpg", jpeg())])
    guarded = world.rows("select id, owner_type from photo where owner_type not in ('ticket') order by id")
    guard, engineer = logged_in(base, "guard1"), logged_in(base, "engineer1")
    opened = [(pid, kind, who) for pid, kind in guarded for who, client in (("guard", guard), ("engineer", engineer))
              if kind.startswith(("handover", "inspection", "room")) and client.get(f"/photos/{pid}").status < 400
              or kind.startswith(("handover", "inspection", "room")) and client.get(f"/photos/{pid}/thumb").status
              < 400]
    report("9 photos served by their record's rule", done.status == 201 and guarded and not opened,
           f"handover {done.status}; {len(guarded)} handover/inspection photos tried by guard and engineer; opened {opened[:5]}")


def check_masked(base: str, ticket: int) -> None:
    shown = {who: RESIDENT["phone"] in logged_in(base, who).get(f"/tickets/{ticket}").text
             for who in ("guard1", "supervisor1")}
    report("10 residents' contacts masked", not shown["guard1"] and shown["supervisor1"],
           f"phone visible to {[w for w, s in shown.items() if s]}")


def check_schedule(base: str, world: World) -> None:
    before = world.rows("select count(*) from patrol_schedule")[0][0]
    answer = logged_in(base, "admin").form(f"/routes/{world.estate_route}/schedules", {
        "name": "审计班次", "start": "09:00", "end": "10:00", "interval_minutes": "60",
        "guard_ids": [str(world.users["attendant1"])]})
    after = world.rows("select count(*) from patrol_schedule")[0][0]
    report("12 a schedule refuses a guard of another project", answer.status == 400 and after == before,
           f"{answer.status}, schedules {before} → {after}")


def check_headers(base: str, world: World) -> None:
    supervisor = logged_in(base, "supervisor1")
    page, pdf = supervisor.get("/"), supervisor.get(f"/projects/{world.sales}/labels.pdf")
    tickets = f"/projects/{world.sales}/tickets"  # a page whose htmx fragment is chosen by HX-Request
    listing, fragment = supervisor.get(tickets), supervisor.get(tickets, headers={"HX-Request": "true"})
    api = supervisor.get("/api/v1/session")
    wrong = Client(base).request("DELETE", "/login")
    problems = [name for name, bad in (
        ("no-store on HTML", "no-store" not in page.headers.get("Cache-Control", "")),
        ("no-store on JSON", "no-store" not in api.headers.get("Cache-Control", "")),
        ("no-store on PDF", "no-store" not in pdf.headers.get("Cache-Control", "")),
        ("Allow on 405", wrong.status != 405 or not wrong.headers.get("Allow")),
        ("Server banner", any(page.headers.get(h) for h in ("Server", "X-Powered-By"))),
        ("Vary: HX-Request", listing.body == fragment.body
         or "hx-request" not in listing.headers.get("Vary", "").lower())) if bad]
    report("13 headers (no-store, Allow, no Server, Vary)", not problems, ", ".join(problems) or "all present")
    report("14 dependencies: a PDF renders as served", pdf.status == 200 and pdf.body.startswith(b"%PDF"),
           f"labels.pdf {pdf.status} {len(pdf.body)} bytes")


def check_secure_cookies(base: str) -> None:
    answer = Client(base).get("/login")
    cookies = answer.headers.get_all("Set-Cookie") or []
    ok = cookies and all("secure" in c.lower() for c in cookies) and any(c.startswith("__Host-session=")
                                                                           for c in cookies)
    report("13 Secure __Host- cookies with an https PUBLIC_URL", bool(ok), "; ".join(c.split(";")[0][:20] + "…"
                                                                           for c in cookies))


def check_clock_in(base: str, world: World) -> None:
    phones = [logged_in(base, "attendant1") for _ in range(2)]
    tokens = [p.csrf() for p in phones]
    record = {"kind": "shift_clock_in", "project_id": world.sales,
              "data": {"post_id": world.post_id, "pattern_id": world.pattern_id}}
    outcomes, zone = [], ZoneInfo("Asia/Shanghai")
    morning = datetime.now(zone).replace(hour=10, minute=0, second=0, microsecond=0)  # inside 早班 08:00-17:00
    morning -= timedelta(days=1) if morning > datetime.now(zone) else timedelta(0)
    for _try in range(5):
        barrier = threading.Barrier(2)

        def clock_in(i):
            barrier.wait()
            at = (morning + timedelta(seconds=i)).isoformat()
            return phones[i].record(str(uuid.uuid4()), {**record, "client_time": at}, token=tokens[i]).status
        with futures.ThreadPoolExecutor(2) as pool:
            outcomes.append(sorted(pool.map(clock_in, (0, 1))))
        with world.engine.begin() as conn:  # end the shift for the next try
            conn.execute(world.sa.text("delete from shift_attendance where user_id = :u"),
                         {"u": world.users["attendant1"]})
    report("15 one attendant, two phones clocking in at once", all(o.count(201) == 1 for o in outcomes),
           f"statuses of 5 simultaneous pairs {outcomes}")


# -- the fault run -----------------------------------------------------------------------------------------------

def cut_mid_body(base: str, client: Client, client_id: str, envelope: dict, photos, token: str) -> None:
    body, ctype = multipart([("record", json.dumps(envelope))], [("photos", n, d) for n, d in photos])
    with socket.create_connection((client.host, client.port), timeout=10) as sock:
        head = (f"POST /api/v1/records/{client_id} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nX-CSRFToken: {token}\r\n"
                f"Cookie: {'; '.join(f'{k}={v}' for k, v in client.cookies.items())}\r\n\r\n")
        sock.sendall(head.encode() + body[:random.randrange(1, len(body))])


def send_quietly(client: Client, client_id: str, envelope: dict, photos, token: str) -> None:
    with contextlib.suppress(OSError, http.client.HTTPException):
        client.record(client_id, envelope, photos, token=token)


def fault_run(served: Served, world: World, cycles: int) -> dict:
    """Uploads with faults; returns what was sent and how it ended. Every 25th cycle kills the server mid-request."""
    rng, photos = random.Random(14), [(f"p{i}.jpg", jpeg((640, 480))) for i in range(6)]
    stats = {"accepted": 0, "replayed": 0, "refused": 0, "cut": 0, "killed": 0, "retried_after_kill": 0,
             "given_up_after_kill": 0, "errors": 0}
    accepted: dict[str, int] = {}  # client id → photos sent with it

    def phones():
        guard, attendant = logged_in(served.base, "guard1"), logged_in(served.base, "attendant1")
        return guard, guard.csrf(), attendant, attendant.csrf()
    guard, token, attendant, attendant_token = phones()
    for cycle in range(cycles):
        client_id, sent = str(uuid.uuid4()), photos[:rng.randint(1, 3)]
        if cycle and cycle % 100 == 0:
            print(f"      fault run: {cycle}/{cycles} cycles", flush=True)
        kind = cycle % 10
        if cycle % 25 == 24:  # SIGKILL while a record with six photos is being handled
            worker = threading.Thread(target=send_quietly, args=(guard, client_id, ticket_report(world), photos, token))
            worker.start()
            time.sleep(rng.uniform(0.05, 0.6))
            served.kill()
            worker.join(30)
            stats["killed"] += 1
            served.start()
            guard, token, attendant, attendant_token = phones()
            if rng.random() < 0.5:
                answer = guard.record(client_id, ticket_report(world), photos, token=token)
                stats["retried_after_kill"] += 1
                if answer.status in (200, 201):
                    accepted[client_id] = len(photos)
            else:
                stats["given_up_after_kill"] += 1
            continue
        if kind in (6, 7):
            cut_mid_body(served.base, guard, client_id, ticket_report(world), sent, token)
            stats["cut"] += 1
            if kind == 7:  # the phone sends it again whole
                kind = 0
            else:
                continue
        if kind == 4:
            answer = guard.record(client_id, ticket_report(world, ""), sent, token=token)
        elif kind == 5:
            answer = attendant.record(client_id, handover(world, "wrong-password"), signatures() + sent[:2],
                                      token=attendant_token)
        else:
            copies = 3 if kind == 8 else 1  # a triple send racing itself
            with futures.ThreadPoolExecutor(copies) as pool:
                answers = list(pool.map(lambda _n: guard.record(client_id, ticket_report(world), sent, token=token),
                                        range(copies)))
            answer = min(answers, key=lambda a: a.status)
            stats["replayed"] += sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers)
        if answer.status in (200, 201):
            stats["accepted"] += 1
            accepted[client_id] = len(sent)
        elif 400 <= answer.status < 500:
            stats["refused"] += 1
        else:
            stats["errors"] += 1
    stats["accepted_ids"] = accepted
    return stats


def check_fault_run(served: Served, world: World, cycles: int) -> None:
    started = time.monotonic()
    stats = fault_run(served, world, cycles)
    accepted = stats.pop("accepted_ids")
    lost = doubled = wrong_photos = 0
    for client_id, count in accepted.items():
        rows = world.rows("select result from sync_record where client_id = :c", c=client_id)
        tickets = world.rows("select count(*) from photo where owner_type = 'ticket' and owner_id = :t",
                             t=(json.loads(rows[0][0]) if isinstance(rows[0][0], str) else rows[0][0])["id"]) \
            if rows else []
        lost += not rows
        doubled += len(rows) > 1
        wrong_photos += bool(rows) and tickets[0][0] != count
    served.stop()
    strict = served.flask("media", "check", "--grace", "0", check=False).stdout.strip().splitlines()
    tmp = sum(".tmp-" in line for line in strict)
    summary = strict[-1] if strict else "no answer"
    served.flask("media", "check", "--fix", "--grace", "0", check=False)  # what the clock's sweep does an hour on
    after = served.flask("media", "check", "--grace", "0", check=False).stdout.strip().splitlines()
    served.start()
    report(f"11 fault run: {cycles} cycles, nothing lost or doubled", not (lost or doubled or wrong_photos)
           and stats["errors"] == 0, f"{json.dumps(stats)}; lost {lost}, doubled {doubled}, photo counts wrong "
           f"{wrong_photos}; {time.monotonic() - started:.0f} s")
    report("11 orphan files (flask media check --grace 0)", summary.startswith("0 files without a row, 0 rows"),
           f"right after the run: {summary} ({tmp} .tmp-); after the clock's sweep: {after[-1] if after else '?'}")


# -- the flood ---------------------------------------------------------------------------------------------------

def check_flood(served: Served, world: World, png: bytes, posts: int = FLOOD_POSTS, parallel: int = 20) -> None:
    """`posts` whole resident requests, each with one PNG of the most pixels a request may decode, `parallel` at a
    time, each from its own address (behind a trusted proxy), so each is decoded; RSS of the server process and /healthz sampled throughout."""
    link = resident_link(served.base, world)
    stamps = [stamp_of(served.base, link) for _ in range(posts)]
    time.sleep(3.2)
    peak, slowest, done = served.rss_mb(), 0.0, threading.Event()
    base_rss = peak

    def sample():
        nonlocal peak, slowest
        while not done.is_set():
            peak = max(peak, served.rss_mb())
            slowest = max(slowest, healthz(served.base, 5))
            time.sleep(0.25)
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    with futures.ThreadPoolExecutor(parallel) as pool:
        statuses = list(pool.map(lambda n: resident_post(served.base, link, RESIDENT, [png], ip=f"198.51.100.{n}",
                                                         stamp=stamps[n]).status, range(posts)))
    done.set()
    sampler.join()
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    report(f"4 flood: {posts} resident posts of a PNG {Image.open(io.BytesIO(png)).size[0]}px ({len(png) // 1024} KB), "
           f"{parallel} at once", peak < 600 and slowest < 1.0 and 303 in statuses
           and all(s in (303, 429, 503) for s in statuses),
           f"server RSS {base_rss:.0f} → peak {peak:.0f} MB, slowest /healthz {slowest * 1000:.0f} ms, "
           f"answers {counts}, {time.monotonic() - started:.0f} s")


# -- running it all ----------------------------------------------------------------------------------------------

def audit_backend(backend: str, database_url: str, only: set[str], cycles: int, pngs: dict) -> None:
    print(f"== {backend}", flush=True)
    root = Path(tempfile.mkdtemp(prefix=f"wuye-audit-{backend}-"))
    served = Served(root, database_url)
    served.prepare()
    served.start()
    world = World(database_url)
    try:
        if "checks" in only:
            run_checks(served.base, world, pngs)
        if "faults" in only:
            check_fault_run(served, world, cycles)
        served.stop()
        if "flood" in only:  # behind one trusted proxy with an https address: every post its own client
            served = Served(root, database_url, TRUSTED_PROXY_HOPS="1", PUBLIC_URL="https://audit.example")
            served.start()
            check_secure_cookies(served.base)
            check_flood(served, world, pngs[7000])
    finally:
        served.stop()
        world.engine.dispose()


def run_checks(base: str, world: World, pngs: dict) -> None:
    check_open_redirect(base)
    check_logout(base)
    check_slow_clients(base)
    ticket = check_resident_form(base, world, pngs[7000])
    check_login_throttle(base)
    check_photos(base, world)  # before the wrong passwords, which throttle the handover
    check_handover_lock(base, world)
    check_malformed(base, world)
    check_masked(base, ticket)
    check_schedule(base, world)
    check_headers(base, world)
    check_clock_in(base, world)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cycles", type=int, default=1000, help="fault-run cycles per backend")
    parser.add_argument("--only", default="checks,faults,flood", help="comma-separated: checks, faults, flood")
    parser.add_argument("--url", help="audit a server already running (with --database-url for the ids)")
    parser.add_argument("--database-url", help="the database of the server given by --url")
    args = parser.parse_args()
    only = set(args.only.split(","))
    pngs = {7000: large_png(7000)}
    if args.url:
        run_checks(args.url, World(args.database_url), pngs)
    for backend in ("sqlite", "postgresql") if args.backend == "both" and not args.url else \
            () if args.url else (args.backend,):
        if backend == "sqlite":
            path = Path(tempfile.mkdtemp(prefix="wuye-audit-db-")) / "audit.db"
            audit_backend(backend, f"sqlite:///{path}", only, args.cycles, pngs)
        else:
            with postgres_server() as url:
                audit_backend(backend, url, only, args.cycles, pngs)
    failed = [item for item, ok, _detail in RESULTS if not ok]
    print(f"== {len(RESULTS) - len(failed)} PASS, {len(failed)} FAIL", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
