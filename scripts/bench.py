"""Benchmarks (`make bench`): each figure beside a baseline measured in the same run, on a scratch SQLite database
(and, with --postgresql, again on a throwaway PostgreSQL server, beside the SQLite figure).

A figure is a small function registered with `@figure`; it returns `Figure`s. Pages are timed alternately
with a static file fetched through the same client (`paired(..., baseline=static)`), photo intake with a
bare decode-and-insert, so a busy machine moves both and the ratio stays readable. Printed per figure: the
median, the baseline's median, the ratio and the target (met or not).

    .venv/bin/python scripts/bench.py              # the quick 1x run
    .venv/bin/python scripts/bench.py --scale 10   # again on 10x data (slow), with the growth of each figure
    .venv/bin/python scripts/bench.py --only rank  # figures whose function name contains "rank"
    .venv/bin/python scripts/bench.py --postgresql # each figure on SQLite, then on PostgreSQL
    .venv/bin/python scripts/bench.py --only server,patrol,repair,complaint,handovers,inspections,shifts,month,incident
                                                   # every PDF (each of those functions times one or more)
"""
import argparse
import io
import json
import logging
import multiprocessing
import os
import resource
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# One serving process per core, as app/core/serve.py sets it for `make run` (app/sync/gate.py shares the photo
# turns out among the processes when the app is made).
os.environ.setdefault("WEB_PROCESSES", str(os.cpu_count() or 1))


@dataclass
class Figure:
    name: str
    value: float
    unit: str = "ms"
    baseline: float | None = None  # the same run's baseline, in the same unit
    target: float | None = None  # an upper bound (lower bound for rates, below)
    higher_is_better: bool = False
    growth_under: float | None = None  # a page's bound on its growth 1x -> 10x (issue 15: 2x)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value < self.target


@dataclass
class Bench:
    app: object
    scale: int


FIGURES = []


def figure(fn):
    """Register a figure function: fn(bench) -> list[Figure]. Order of registration is the order printed."""
    FIGURES.append(fn)
    return fn


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def median_ms(fn, repeat: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


def paired(fn, baseline, repeat: int) -> tuple[float, float]:
    """Medians of fn and of its baseline, run alternately so both see the same machine."""
    ours, base = [], []
    for _ in range(repeat):
        ours.append(timed(fn))
        base.append(timed(baseline))
    return statistics.median(ours), statistics.median(base)


def analyzed(app) -> None:
    """On PostgreSQL, what autovacuum would have done to what the figure just inserted in bulk: the planner's
    statistics (a table filled a second ago has none and gets row estimates of a few hundred) and the visibility
    map (without it an index-only scan is priced as a heap fetch per entry, and the admin's home of 502 projects
    scanned the 100,000 tickets of one site once per other site: 8 s instead of 89 ms)."""
    from sqlalchemy import text

    engine = app.extensions["engine"]
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


PAGE_GROWTH = 2.0  # every page's growth 1x -> 10x (issue 15)
PAGE_ON_POSTGRESQL = 1.5  # and its ratio on PostgreSQL against SQLite's


def page(name, client, url, repeat, target=None) -> Figure:
    """A GET timed against the static-file baseline through the same client."""
    analyzed(client.application)

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)  # not the time of an error page

    value, base = paired(get, lambda: client.get("/static/css/app.css"), repeat)
    return Figure(name, value, baseline=base, target=target, growth_under=PAGE_GROWTH)


def bare_pdf() -> None:
    """The PDF baseline: WeasyPrint rendering one page of Chinese text with the print stylesheet."""
    from weasyprint import CSS, HTML

    HTML(string="<h1>案场检查</h1><p>江城壹号销售中心 100.0%</p>").write_pdf(
        stylesheets=[CSS(filename=str(ROOT / "static/css/print.css"))])


def pdf(name, client, url, repeat, target=None) -> Figure:
    """A PDF timed against the bare one-page render."""
    analyzed(client.application)

    def get():
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf", (url, response.status_code)

    value, base = paired(get, bare_pdf, repeat)
    return Figure(name, value, baseline=base, target=target)


def decode_and_insert(raw: bytes, db: sqlite3.Connection) -> None:
    """The intake baseline: what any photo upload must do, decode the JPEG and insert one row."""
    with Image.open(io.BytesIO(raw)) as image:
        image.load()
        db.execute("INSERT INTO photo (width, height, size) VALUES (?, ?, ?)", (image.width, image.height, len(raw)))
    db.commit()


def baseline_db(path: str | None = None) -> sqlite3.Connection:
    """The baselines' table of photos, in a fresh file (or the one at `path`, made by an earlier call)."""
    fresh = path is None
    db = sqlite3.connect(path or tempfile.mktemp(suffix=".db"), timeout=30, check_same_thread=False)
    if fresh:
        db.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, width INT, height INT, size INT)")
    return db


def photo_of_about_300kb(seed: int) -> bytes:
    picture = Image.effect_noise((900, 700), 40 + seed).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def setup_app(database_url: str | None = None):
    """A fresh app on a scratch database (SQLite unless `database_url`, an empty PostgreSQL database) and media
    folder of its own (each run gets one)."""
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-"))
    from app import create_app
    from app.config import Config
    from app.core.db import engine, upgrade_to_head
    from app.projects.models import Area, Checkpoint

    class Scratch(Config):
        INSTANCE_DIR, SECRET_KEY = tmp, "bench"
        DATABASE_URL, MEDIA_ROOT = database_url or f"sqlite:///{tmp / 'bench.db'}", str(tmp / "media")

    app = create_app(Scratch)
    with app.app_context():
        upgrade_to_head(engine())
        app.test_cli_runner().invoke(args=["seed-demo"])
        with Session(engine()) as session:
            area = Area(project_id=1, name="压测区域")
            session.add(area)
            session.flush()
            session.add_all([Checkpoint(project_id=1, area_id=area.id, name=f"压测点 {i}") for i in range(48)])
            session.commit()
    return app


def log_in(app, username="supervisor1"):
    client = app.test_client()
    page_ = client.get("/login").get_data(as_text=True)
    token = page_.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": username, "password": "demo1234", "csrf_token": token})
    return client


def log_in_page(page, username: str) -> None:
    """Log a Playwright page in as a demo user."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def post_record(client, token, client_id, photos=()):
    record = {"kind": "ticket_report", "project_id": 1, "client_time": "2026-11-23T10:00:00+08:00",
              "data": {"description": "压测报修"}}
    data = {"record": json.dumps(record), "photos": [(io.BytesIO(p), f"{i}.jpg") for i, p in enumerate(photos)]}
    response = client.post(f"/api/v1/records/{client_id}", data=data, headers={"X-CSRFToken": token})
    assert response.status_code in (200, 201), response.get_data(as_text=True)


@figure
def server_figures(bench) -> list[Figure]:
    app = bench.app
    client = log_in(app)
    figures = [
        Figure("login page + login (argon2id, production cost)", median_ms(lambda: log_in(app), 5)),
        page("home page", client, "/", 30),
        page("project page (60 checkpoints)", client, "/projects/1", 30),
        pdf("QR label PDF (60 labels)", client, "/projects/1/labels.pdf", 3),
    ]
    guard = log_in(app, "guard1")
    token = guard.get("/api/v1/session").json["csrf_token"]
    photos = [photo_of_about_300kb(1), photo_of_about_300kb(2)]
    size = sum(len(p) for p in photos) // 2 // 1024
    db = baseline_db()
    value, base = paired(lambda: post_record(guard, token, uuid.uuid4(), photos),
                         lambda: [decode_and_insert(p, db) for p in photos], 20)
    figures.append(Figure(f"accept a record with two {size} KB photos", value, baseline=base, target=150))
    ids = [uuid.uuid4() for _ in range(100)]
    start = time.perf_counter()
    for client_id in ids:
        post_record(guard, token, client_id)
    figures.append(Figure("100 entries delivered back to back", 100 / (time.perf_counter() - start), "entries/s",
                          target=50, higher_is_better=True))
    start = time.perf_counter()
    for client_id in ids:
        post_record(guard, token, client_id)
    figures.append(Figure("the same 100 entries replayed", 100 / (time.perf_counter() - start), "entries/s",
                          target=50, higher_is_better=True))
    shell = ["/static/css/app.css", "/static/js/app.js", "/static/vendor/htmx/htmx.min.js",
             "/static/vendor/idb/umd.js", "/static/js/outbox.js", "/static/js/offline-forms.js",
             "/manifest.webmanifest", "/projects/1/report"]
    sent = sum(len(guard.get(url, headers={"Accept-Encoding": "gzip"}).data) for url in shell)  # as the server sends it
    figures.append(Figure("app shell + one form page, gzip, first load", sent / 1024, "KB", target=80))
    return figures


@figure
def intake_figures(bench) -> list[Figure]:
    """Photo intake of a 12-megapixel photo-like JPEG against decoding it and inserting one row."""
    from app.core.photos import process
    from tests.images import scene

    raw = scene((4000, 3000))
    db = baseline_db()
    value, base = paired(lambda: process(raw, max_bytes=50_000_000), lambda: decode_and_insert(raw, db), 7)
    return [Figure("photo intake, 12-megapixel JPEG", value, baseline=base, target=300),
            Figure("photo intake throughput / decode-and-insert", base / value, "×", target=0.6, higher_is_better=True)]


@figure
def patrol_figures(bench) -> list[Figure]:
    """A 30-checkpoint round with 10 photos; a board of 50 routes and 2,000 visits; the round's PDF."""
    from datetime import timedelta

    from app.core.db import engine, utcnow
    from app.patrols.models import Round, Route, RouteStop, Schedule, Visit
    from app.projects.models import Area, Checkpoint, Project

    app = bench.app
    now = utcnow()
    with app.app_context(), Session(engine()) as session:
        project = Project(organisation_id=1, name="压测项目", kind="residential")
        session.add(project)
        session.flush()
        area = Area(project_id=project.id, name="压测区")
        session.add(area)
        session.flush()
        points = [Checkpoint(project_id=project.id, area_id=area.id, name=f"点 {i}") for i in range(30)]
        session.add_all(points)
        session.flush()
        stops = [{"position": i + 1, "checkpoint_id": c.id, "name": c.name, "area": area.name, "digest": "",
                  "template_version_id": None} for i, c in enumerate(points)]
        rounds = []
        for r in range(50):
            route = Route(project_id=project.id, name=f"路线 {r:02d}", min_walk_seconds=0)
            session.add(route)
            session.flush()
            session.add_all([RouteStop(route_id=route.id, position=i + 1, checkpoint_id=c.id) for i, c in enumerate(points[:10])])
            schedule = Schedule(route_id=route.id, name="班次", start=(now - timedelta(hours=2)).time(),
                                end=(now - timedelta(hours=2)).time(), guard_ids=[])
            session.add(schedule)
            session.flush()
            for k in range(4):
                slot = now - timedelta(hours=1, minutes=10 * k)
                round_ = Round(project_id=project.id, route_id=route.id, schedule_id=None, slot_start=slot,
                               window_end=slot + timedelta(hours=1), deadline=slot + timedelta(hours=1, minutes=15),
                               closes_at=slot + timedelta(hours=2), stops=stops[:10])
                session.add(round_)
                rounds.append(round_)
        session.flush()
        session.add_all([Visit(round_id=r.id, project_id=project.id, position=i + 1, checkpoint_id=points[i].id,
                               scanned_at=r.slot_start + timedelta(minutes=i)) for r in rounds for i in range(10)])
        walk = Round(project_id=project.id, route_id=rounds[0].route_id, slot_start=now - timedelta(minutes=30),
                     window_end=now + timedelta(minutes=30), deadline=now + timedelta(minutes=45),
                     closes_at=now + timedelta(hours=2), stops=stops)
        session.add(walk)
        from sqlmodel import select

        from app.accounts.models import Membership, User

        ids = dict(session.exec(select(User.username, User.id).where(User.username.in_(("guard1", "supervisor1")))).all())
        session.add_all([Membership(user_id=ids[name], project_id=project.id, role=role)  # ids by name: the PDFs
                         for name, role in (("guard1", "guard"), ("supervisor1", "supervisor"))])  # 404ed on ids
        session.commit()
        project_id, walk_id, codes = project.id, walk.id, [c.code for c in points]

    guard = log_in(app, "guard1")
    token = guard.get("/api/v1/session").json["csrf_token"]
    photo = photo_of_about_300kb(3)
    start = time.perf_counter()
    for i, code in enumerate(codes):
        record = {"kind": "patrol_visit", "project_id": project_id,
                  "client_time": (now - timedelta(minutes=29) + timedelta(seconds=40 * i)).isoformat(),
                  "data": {"round_id": walk_id, "position": i + 1, "code": code, "method": "qr"}}
        files = [(io.BytesIO(photo), f"photos~{i}.jpg")] if i % 3 == 0 and i < 30 else []
        response = guard.post(f"/api/v1/records/{uuid.uuid4()}", data={"record": json.dumps(record), "photos": files},
                              headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_data(as_text=True)
    seconds = time.perf_counter() - start
    supervisor = log_in(app, "supervisor1")
    return [Figure("a 30-checkpoint round with 10 photos, synced", seconds * 1000, target=2000),
            page("patrol board: 50 routes, 2,000 visits", supervisor, f"/projects/{project_id}/patrols", 10, 150),
            pdf("30-checkpoint round PDF with 10 photos", supervisor, f"/rounds/{walk_id}/report.pdf", 3, 2000),
            pdf("patrol daily PDF: 50 routes, 201 rounds", supervisor, f"/projects/{project_id}/patrols/daily.pdf", 3,
                3000)]


@figure
def repair_figures(bench) -> list[Figure]:
    """A ticket list and the monthly figures over 10,000 tickets per scale step: the page as the clock counted it,
    the PDF counted when made."""
    import random
    from datetime import timedelta

    from app.core.db import engine, utcnow
    from app.repairs.jobs import count_months
    from app.repairs.models import Ticket

    app, count = bench.app, 10_000 * bench.scale
    now = utcnow()
    rng = random.Random(7)
    with app.app_context(), Session(engine()) as session:
        for i in range(count):
            created = now - timedelta(days=rng.randint(0, 27), minutes=rng.randint(0, 1440))
            status = rng.choice(["reported", "dispatched", "in_progress", "awaiting_callback", "closed", "closed"])
            done = status in ("awaiting_callback", "closed")
            session.add(Ticket(project_id=1, number=f"BX-BENCH-{i:05d}", description=f"压测工单 {i}",
                               category=rng.choice(["水", "电", "门窗", "消防", "其他"]), status=status,
                               reported_at=created, created_at=created, due_at=created + timedelta(days=7),
                               dispatched_at=created + timedelta(minutes=rng.randint(1, 10)) if status != "reported" else None,
                               finished_at=created + timedelta(hours=rng.randint(1, 200)) if done else None,
                               callback_reached=True if status == "closed" else None,
                               satisfaction=rng.randint(2, 5) if status == "closed" else None))
        session.commit()
        count_months(session, utcnow(), app.config)  # what `make run`'s clock does every 5 minutes
    supervisor = log_in(app, "supervisor1")
    month = now.astimezone().strftime("%Y-%m")
    return [page(f"ticket list of {count:,}, filtered, page 3", supervisor,
                 "/projects/1/tickets?show=open&category=电&page=3", 20, 150),
            page(f"monthly figures page, {count:,} tickets", supervisor, f"/projects/1/repairs/figures?month={month}", 10,
                 150),
            pdf(f"monthly repair report PDF, {count:,} tickets", supervisor,
                f"/projects/1/repairs/figures.pdf?month={month}", 3, 2000)]


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _export_in_child(app, url: str, pipe) -> None:
    """Export once in a forked process: the CPU time it took (what a busy machine changes least) and its peak
    resident memory above what it held before the request."""
    client = log_in(app)
    before = _rss_mb()
    start = time.process_time()
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.response)  # stream it out, as the server would
    response.close()
    cpu = time.process_time() - start
    pipe.send((cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before, size))


@figure
def xlsx_export_figures(bench) -> list[Figure]:
    """50,000 tickets (per scale step) exported as XLSX through the view, beside the same rows written as CSV;
    the export's peak memory measured in a forked process of its own."""
    import random
    from datetime import timedelta

    import sqlalchemy as sa

    from app.accounts.models import Membership, User
    from app.core.db import engine, utcnow
    from app.projects.models import Project
    from app.repairs.exports import header, ticket_rows
    from app.repairs.models import Ticket
    from app.reports.csv_export import csv_response

    app, count = bench.app, 50_000 * bench.scale
    now, rng = utcnow(), random.Random(11)
    with app.app_context(), Session(engine()) as session:
        project = Project(organisation_id=1, name="导出压测", kind="residential")
        session.add(project)
        session.flush()
        supervisor = session.exec(sa.select(User).where(User.username == "supervisor1")).scalar_one()
        session.add(Membership(user_id=supervisor.id, project_id=project.id, role="supervisor"))
        session.commit()
        project_id = project.id
        rows = []
        for i in range(count):
            created = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
            closed = rng.random() < 0.7
            rows.append({"project_id": project_id, "number": f"BX-EXPORT-{i:06d}", "category": rng.choice("水电"),
                         "description": f"卫生间漏水,天花板滴水 {i}", "location": "3栋2单元门厅", "status":
                         "closed" if closed else "dispatched", "reporter_name": "王女士", "reporter_phone": "13800138000",
                         "reported_at": created, "created_at": created, "due_at": created + timedelta(days=7),
                         "dispatched_at": created + timedelta(minutes=rng.randint(1, 10)), "assignee_id": 1,
                         "finished_at": created + timedelta(hours=5) if closed else None,
                         "callback_at": created + timedelta(days=1) if closed else None,
                         "callback_reached": True if closed else None, "satisfaction": 5 if closed else None,
                         "closed_at": created + timedelta(days=1) if closed else None, "reopen_count": 0})
        for start in range(0, count, 5000):
            session.execute(sa.insert(Ticket), rows[start:start + 5000])
        session.commit()
        del rows
    url = f"/projects/{project_id}/tickets.xlsx"
    client = log_in(app)
    assert client.get(url).status_code == 200  # warm: templates, statements, the first sheet

    def as_csv():
        with app.test_request_context(), Session(engine()) as session:
            project = session.get(Project, project_id)
            csv_response([header(), *ticket_rows(session, project, reader_roles={"supervisor"})], "t.csv")

    value, base = paired(lambda: client.get(url).close(), as_csv, 1)
    parent, child = multiprocessing.get_context("fork").Pipe()
    worker = multiprocessing.get_context("fork").Process(target=_export_in_child, args=(app, url, parent))
    worker.start()
    cpu, peak, size = child.recv()
    worker.join()
    seconds = 10 * bench.scale  # the Excel issue's 10 s for 50,000 tickets, per 50,000: the work is per row
    return [Figure(f"XLSX export of {count:,} tickets ({size / 2**20:.1f} MB)", value / 1000, "s",
                   baseline=base / 1000, target=seconds),
            Figure(f"XLSX export of {count:,} tickets, CPU time", cpu, "s", target=seconds),
            Figure(f"XLSX export of {count:,} tickets, peak memory above the process's", peak, "MB", target=200)]


@figure
def complaint_figures(bench) -> list[Figure]:
    """The front desk's home with 200 open complaints (per scale step); yesterday's complaint report PDF and the
    monthly front-desk report's PDF over those complaints and callbacks."""
    import random
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app.callbacks.models import CallbackAttempt
    from app.complaints.departments import ensure_departments
    from app.complaints.models import CATEGORIES, Complaint
    from app.core.db import engine, utcnow

    app, count = bench.app, 200 * bench.scale
    now, rng = utcnow(), random.Random(17)
    with app.app_context(), Session(engine()) as session:
        departments = ensure_departments(session, 1)
        for i in range(count + 300):  # the open ones, and 300 closed ones of the month for the report
            received = now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1440))
            closed = i >= count
            session.add(Complaint(
                project_id=1, number=f"TS-BENCH-{i:05d}", description=f"压测投诉 {i}", complainant_phone="13800000000",
                category=rng.choice(CATEGORIES), channel=rng.choice(["phone", "visit", "wechat"]),
                department_id=rng.choice(departments).id, status="closed" if closed else rng.choice(
                    ["received", "assigned", "processing", "replied"]), received_at=received, created_at=received,
                reply_due_at=received + timedelta(hours=24), resolve_due_at=received + timedelta(days=3),
                first_replied_at=received + timedelta(hours=rng.randint(1, 40)) if closed else None,
                replied_at=received + timedelta(hours=rng.randint(1, 80)) if closed else None,
                satisfaction=rng.randint(2, 5) if closed else None, closed_at=now if closed else None))
            if closed:
                session.add(CallbackAttempt(project_id=1, subject_type="complaint", subject_id=i + 1, channel="phone",
                                            department=rng.choice(departments).name, at=received + timedelta(days=1),
                                            reached=True, satisfaction=rng.randint(2, 5)))
        session.commit()
    desk = log_in(app, "frontdesk1")
    month = now.astimezone().strftime("%Y-%m")
    yesterday = (now.astimezone(ZoneInfo(app.config["TIMEZONE"])) - timedelta(days=1)).date()  # a whole day
    return [page(f"front-desk home, {count} open complaints", desk, "/", 20, 100),
            pdf(f"daily complaint report PDF, {count + 300} complaints in 21 days", desk,
                f"/projects/1/complaints/daily.pdf?day={yesterday}", 3, 2000),
            pdf("monthly front-desk report PDF", desk, f"/projects/1/frontdesk/monthly.pdf?month={month}", 3, 2000)]


@figure
def frontdesk_figures(bench) -> list[Figure]:
    """The unit type-ahead (an htmx fragment) over 20,000 units per scale step, by room number and by phone."""
    from app.core.db import engine
    from app.frontdesk.models import Occupant, Unit
    from app.frontdesk.units import Parts

    app, count = bench.app, 20_000 * bench.scale
    with app.app_context(), Session(engine()) as session:
        units = []
        for i in range(count):  # buildings 100…, 2 单元, 25 floors, 4 flats a floor
            building, rest = divmod(i, 200)
            parts = Parts(str(100 + building), str(rest // 100 + 1), f"{rest % 100 // 4 + 1}{rest % 4 + 1:02d}")
            units.append(Unit(project_id=2, building=parts.building, unit_no=parts.unit_no, room=parts.room,
                              label=parts.label, key=parts.key))
        session.add_all(units)
        session.flush()
        session.add_all(Occupant(unit_id=u.id, project_id=2, name="压测业主", phone=f"135{i:08d}")
                        for i, u in enumerate(units))
        session.commit()
    desk = log_in(app, "frontdesk1")
    desk.environ_base["HTTP_HX_REQUEST"] = "true"
    return [page(f"unit type-ahead by room over {count:,} units", desk, "/projects/2/units/lookup?q=1201", 30, 50),
            page(f"unit type-ahead by unit over {count:,} units", desk, "/projects/2/units/lookup?q=150-2-12", 30, 50),
            page(f"unit type-ahead by phone over {count:,} units", desk, "/projects/2/units/lookup?q=00012345", 30, 50)]


@figure
def import_figures(bench) -> list[Figure]:
    """Importing 5,000 checkpoints per scale step: the preview page (read, check every row against the project,
    render) beside the bare read of the same workbook by the reading library; then applying it."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from app.imports.reading import MAX_ROWS

    count = min(5_000 * bench.scale, MAX_ROWS)  # more is refused whole (a clear 422), by design
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("巡更点")
    sheet.write_row(0, 0, ["区域", "巡更点", "备注", "纬度", "经度", "路线", "检查表"])
    for n in range(count):
        sheet.write_row(n + 1, 0, [f"导入区域{n % 40}", f"导入点{n}", "消防通道畅通", 24.5, 117.6, "导入路线", ""])
    book.close()
    raw = out.getvalue()
    admin = log_in(bench.app, "admin")

    def upload(url="/projects/1/imports/checkpoints", data=None):
        page_ = admin.get("/projects/1/imports/checkpoints").get_data(as_text=True)
        token = page_.split('name="csrf-token" content="')[1].split('"')[0]
        form = data or {"file": (io.BytesIO(raw), "points.xlsx")}
        response = admin.post(url, data={**form, "csrf_token": token}, content_type="multipart/form-data")
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    value, base = paired(upload, lambda: CalamineWorkbook.from_filelike(io.BytesIO(raw))
                         .get_sheet_by_index(0).to_python(), 3)
    html = upload()
    apply_token = html.split('name="token" value="')[1].split('"')[0]
    applied = timed(lambda: upload("/projects/1/imports/checkpoints/apply", {"token": apply_token}))
    return [Figure(f"import preview of {count:,} checkpoints (page)", value, baseline=base, target=5000),
            Figure(f"import apply of {count:,} checkpoints (one transaction)", applied, baseline=value, target=10000)]


@figure
def handovers_figures(bench) -> list[Figure]:
    """A 120-item sample-room handover with 5 photos and 2 signatures through the sync API, and its PDF."""
    from sqlmodel import select

    from app.accounts.models import User
    from app.core.db import engine, utcnow
    from app.handovers.models import InventoryVersion, Room
    from app.projects.models import Area

    app = bench.app
    with app.app_context(), Session(engine()) as session:
        area = Area(project_id=1, name="压测样板间")
        session.add(area)
        session.flush()
        room = Room(project_id=1, area_id=area.id, name=area.name)
        session.add(room)
        session.flush()
        items = [{"key": f"i{n}", "name": f"压测物品 {n}", "category": "饰品", "quantity": 2, "location": "客厅",
                  "photo_id": None} for n in range(1, 121)]
        version = InventoryVersion(room_id=room.id, number=1, items=items)
        session.add(version)
        session.flush()
        room.current_version_id = version.id
        session.commit()
        room_id, version_id = room.id, version.id
        incoming = session.exec(select(User).where(User.username == "attendant2")).one().id
    attendant = log_in(app, "attendant1")
    token = attendant.get("/api/v1/session").json["csrf_token"]
    data = {"room_id": str(room_id), "version_id": str(version_id), "incoming_id": str(incoming),
            "incoming_password": "demo1234"}
    for n in range(1, 121):
        damaged = n <= 5
        data[f"status-i{n}"], data[f"found-i{n}"] = ("damaged" if damaged else "present"), "2"
    photos = [(f"photo-i{n}~1.jpg", photo_of_about_300kb(n)) for n in range(1, 6)]
    signature = io.BytesIO()
    Image.effect_noise((600, 220), 80).convert("RGB").save(signature, "PNG")
    photos += [("sign-outgoing~1.jpg", signature.getvalue()), ("sign-incoming~1.jpg", signature.getvalue())]
    ids = []

    def handover():
        record = {"kind": "room_handover", "project_id": 1, "client_time": utcnow().isoformat(), "data": data}
        response = attendant.post(f"/api/v1/records/{uuid.uuid4()}", headers={"X-CSRFToken": token}, data={
            "record": json.dumps(record), "photos": [(io.BytesIO(raw), name) for name, raw in photos]})
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.json["id"])

    accepted = median_ms(handover, 5)
    supervisor = log_in(app, "supervisor1")
    return [Figure("handover, 120 items, 5 photos + 2 signatures, accepted", accepted, target=1500),
            pdf("handover record PDF, 120 items, 5 photos", supervisor, f"/handovers/{ids[-1]}/record.pdf", 3, 2000)]


@figure
def incident_figures(bench) -> list[Figure]:
    """An incident reported with 6 photos and followed up 10 times with a photo each, through the sync API, and its
    report PDF (16 photos)."""
    from zoneinfo import ZoneInfo

    from app.core.db import utcnow

    app = bench.app
    occurred = utcnow().astimezone(ZoneInfo(app.config["TIMEZONE"])).strftime("%Y-%m-%dT%H:%M")
    guard = log_in(app, "guard1")
    token = guard.get("/api/v1/session").json["csrf_token"]

    def send(kind, data, photos):
        record = {"kind": kind, "project_id": 1, "client_time": utcnow().isoformat(), "data": data}
        response = guard.post(f"/api/v1/records/{uuid.uuid4()}", headers={"X-CSRFToken": token}, data={
            "record": json.dumps(record), "photos": [(io.BytesIO(raw), f"photos~{i}.jpg") for i, raw in enumerate(photos)]})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json["id"]

    incident_id = send("incident_report", {
        "kind": "flooding", "severity": "serious", "occurred_at": occurred,
        "location": "车库 B1", "description": "压测:泵房门口地面积水,水从墙角渗出。" * 5, "people": "",
        "action_taken": "已关闭进水阀,摆放警示牌,通知工程。"}, [photo_of_about_300kb(n) for n in range(6)])
    for n in range(10):
        send("incident_followup", {"incident_id": incident_id, "text": f"压测跟进 {n}:已到场查看,继续观察。" * 3},
             [photo_of_about_300kb(10 + n)])
    supervisor = log_in(app, "supervisor1")
    return [pdf("incident report PDF, 16 photos, 10 follow-ups", supervisor, f"/incidents/{incident_id}/report.pdf", 3,
                2000)]


@figure
def inspections_figures(bench) -> list[Figure]:
    """The 144-point sheet (79 items) scored with 20 photographed deductions; its PDF; a ranking of 50 sites × 4
    per scale step (500 at --scale 10), as a page and as a PDF."""
    from datetime import timedelta

    from sqlmodel import select

    from app.checklists.models import ChecklistTemplate
    from app.checklists.services import current_version
    from app.core.db import engine, utcnow
    from app.inspections.models import Inspection, InspectionSheet
    from app.projects.models import Project

    app, sites = bench.app, 50 * bench.scale
    with app.app_context(), Session(engine()) as session:
        template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.key == "property-inspection")).one()
        version = current_version(session, template)
    items = [i for s in version.definition["sections"] for i in s["items"] if not i["last_time"]]
    inspector = log_in(app, "inspector1")
    token = inspector.get("/api/v1/session").json["csrf_token"]
    photos = [photo_of_about_300kb(seed) for seed in range(20)]

    def score_once() -> int:
        data = {f"sheet-{template.id}": str(version.id)}
        files = []
        for index, item in enumerate(items):
            data[f"v{version.id}-item-{item['key']}"] = "fail" if index < 20 else "pass"
            if index < 20:
                files.append((io.BytesIO(photos[index]), f"v{version.id}-photo-{item['key']}~1.jpg"))
        record = {"kind": "inspection", "project_id": 1, "client_time": utcnow().isoformat(), "data": data}
        response = inspector.post(f"/api/v1/records/{uuid.uuid4()}", data={"record": json.dumps(record), "photos": files},
                                  headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json["id"]

    ids = []
    sync_ms = median_ms(lambda: ids.append(score_once()), 3)
    report_pdf = pdf("inspection: its report PDF (20 photos)", inspector, f"/inspections/{ids[-1]}/report.pdf", 3, 3000)

    now = utcnow()
    with app.app_context(), Session(engine()) as session:
        for n in range(sites):
            project = Project(organisation_id=1, name=f"排名压测项目 {n:03d}")
            session.add(project)
            session.flush()
            for k in range(4):
                at = now - timedelta(hours=k + 1)
                row = Inspection(project_id=project.id, inspected_at=at, objection_deadline=at, status="effective")
                session.add(row)
                session.flush()
                session.add(InspectionSheet(inspection_id=row.id, project_id=project.id, template_id=template.id,
                                            version_id=version.id, name=template.name, base_score=144,
                                            original_score=100 + (n * 7 + k) % 44, score=100 + (n * 7 + k) % 44,
                                            percentage=0))
        session.commit()
    admin = log_in(app, "admin")
    ranked = sites + 2  # and the demo's own sites
    return [Figure("inspection: 144-point sheet, 20 photos, sync (server)", sync_ms, target=2000),
            report_pdf,
            page(f"inspection: ranking page, {ranked} sites × 4 inspections", admin, "/organisations/1/ranking", 10, 150),
            page(f"home page of an admin, {ranked} projects", admin, "/", 10, 150),
            pdf(f"inspection: ranking PDF, {ranked} sites", admin, "/organisations/1/ranking.pdf", 3, 3000)]


@figure
def shifts_figures(bench) -> list[Figure]:
    """The attendant's my-shift page and counter taps, and the daily report over a year of water-bar records."""
    from datetime import timedelta

    from sqlmodel import select

    from app.core.db import engine, utcnow
    from app.projects.models import Project
    from app.shifts.models import Post, ShiftPattern, WaterCount, WaterEntry, WaterItem

    app = bench.app
    with app.app_context(), Session(engine()) as session:
        project = session.exec(select(Project).where(Project.name == "江城壹号销售中心")).one()
        post = session.exec(select(Post).where(Post.project_id == project.id)).first()
        pattern = session.exec(select(ShiftPattern).where(ShiftPattern.project_id == project.id)).first()
        items = session.exec(select(WaterItem).where(WaterItem.project_id == project.id)).all()
        today = utcnow().date()
        for days_ago in range(1, 366):  # a year of daily usage, restocking and a count per item
            day = today - timedelta(days=days_ago)
            for item in items:
                session.add(WaterEntry(project_id=project.id, item_id=item.id, day=day, used=3, restocked=3,
                                       at=utcnow()))
                session.add(WaterCount(project_id=project.id, item_id=item.id, day=day, counted=item.initial_stock,
                                       at=utcnow()))
        session.commit()
        project_id, post_id, pattern_id = project.id, post.id, pattern.id

    attendant = log_in(app, "attendant1")
    token = attendant.get("/api/v1/session").json["csrf_token"]

    def send(kind, data):
        record = {"kind": kind, "project_id": project_id, "client_time": utcnow().isoformat(), "data": data}
        response = attendant.post(f"/api/v1/records/{uuid.uuid4()}", data={"record": json.dumps(record)},
                                  headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_data(as_text=True)

    send("shift_clock_in", {"post_id": post_id, "pattern_id": pattern_id})
    start = time.perf_counter()
    for _ in range(100):
        send("shift_visitors", {"count": 1})
    taps = 100 / (time.perf_counter() - start)
    supervisor = log_in(app, "supervisor1")
    return [
        Figure("visitor taps delivered back to back", taps, "taps/s"),
        page("my-shift page (7 items, a year of water bar)", attendant, f"/projects/{project_id}/my-shift", 20),
        page("shift board page", supervisor, f"/projects/{project_id}/shifts", 20),
        pdf("daily shift report PDF", supervisor, f"/projects/{project_id}/shifts/daily.pdf", 3),
        page("water-bar month page", supervisor, f"/projects/{project_id}/water/month", 10),
    ]


def _busy_site(session, org, name: str, now, guard_id: int) -> int:
    """One project with 10x the demo's records of a site: 10 routes with a day of 2-hourly rounds (a third missed),
    30 tickets (10 past their dispatch target), 10 complaints past their reply, 10 sample rooms whose last handover
    found an item missing, an inspection with 10 overdue rectification items, 5 restock requests."""
    from datetime import time as clock_time
    from datetime import timedelta

    from app.complaints.models import Complaint
    from app.handovers.models import Handover, HandoverLine, InventoryVersion, Room
    from app.inspections.models import Inspection, InspectionSheet, Rectification
    from app.patrols.models import Round, Route, Schedule, Visit
    from app.projects.models import Area, Checkpoint, Project
    from app.repairs.models import Ticket
    from app.shifts.models import RestockRequest, ShiftPattern, WaterItem

    project = Project(organisation_id=org.id, name=name, kind="sales")
    session.add(project)
    session.flush()
    area = Area(project_id=project.id, name="大厅")
    session.add(area)
    session.flush()
    point = Checkpoint(project_id=project.id, area_id=area.id, name="入口", code=f"B{project.id:05d}")
    session.add_all([point, ShiftPattern(project_id=project.id, name="早班", start=clock_time(8), end=clock_time(17))])
    session.flush()
    stops = [{"position": 1, "checkpoint_id": point.id, "name": "入口", "area": "大厅", "digest": "",
              "template_version_id": None}]
    for r in range(10):
        route = Route(project_id=project.id, name=f"路线{r}")
        session.add(route)
        session.flush()
        schedule = Schedule(route_id=route.id, name="夜班", start=clock_time(20), end=clock_time(8), interval_minutes=120)
        session.add(schedule)
        session.flush()
        for i in range(12):
            slot = now - timedelta(hours=2 * i + 3)
            missed = i % 3 == 0
            round_ = Round(project_id=project.id, route_id=route.id, schedule_id=schedule.id, slot_start=slot,
                           window_end=slot + timedelta(hours=1), deadline=slot + timedelta(hours=1, minutes=15),
                           closes_at=slot + timedelta(hours=2), stops=stops, guard_ids=[guard_id],
                           outcome="missed" if missed else "done", finished_at=None if missed else slot + timedelta(minutes=20))
            session.add(round_)
            session.flush()
            if not missed:
                session.add(Visit(round_id=round_.id, project_id=project.id, position=1, checkpoint_id=point.id,
                                  guard_id=guard_id, scanned_at=slot + timedelta(minutes=10)))
    for k in range(30):
        reported = k < 10
        session.add(Ticket(project_id=project.id, number=f"BX-ATT-{project.id}-{k:02d}", description=f"压测工单 {k}",
                           status="reported" if reported else "dispatched", reported_at=now - timedelta(hours=1),
                           created_at=now - timedelta(hours=1), due_at=now + timedelta(days=5)))
    for k in range(10):
        session.add(Complaint(project_id=project.id, number=f"TS-ATT-{project.id}-{k:02d}", description=f"压测投诉 {k}",
                              received_at=now - timedelta(days=1, hours=2), reply_due_at=now - timedelta(hours=2),
                              resolve_due_at=now + timedelta(days=2)))
    items = [{"key": f"i{n}", "name": f"物品 {n}", "category": "饰品", "quantity": 1, "location": "客厅",
              "photo_id": None} for n in range(20)]
    for k in range(10):
        room_area = Area(project_id=project.id, name=f"样板间{k}")
        session.add(room_area)
        session.flush()
        room = Room(project_id=project.id, area_id=room_area.id, name=f"样板间{k}")
        session.add(room)
        session.flush()
        version = InventoryVersion(room_id=room.id, number=1, items=items)
        session.add(version)
        session.flush()
        handover = Handover(project_id=project.id, room_id=room.id, version_id=version.id, state="locked",
                            counted_at=now - timedelta(hours=14), discrepancies=1)
        session.add(handover)
        session.flush()
        session.add_all([HandoverLine(handover_id=handover.id, position=n, item_key=item["key"], name=item["name"],
                                      category="饰品", expected=1, found=0 if n == 3 else 1,
                                      status="missing" if n == 3 else "present") for n, item in enumerate(items)])
    inspection = Inspection(project_id=project.id, inspected_at=now - timedelta(days=20),
                            objection_deadline=now - timedelta(days=17), status="effective")
    session.add(inspection)
    session.flush()
    session.add(InspectionSheet(inspection_id=inspection.id, project_id=project.id, name="物业案场检查表", base_score=144,
                                original_score=130, score=130, percentage=90.3))
    session.add_all([Rectification(project_id=project.id, inspection_id=inspection.id, label=f"整改项 {k}",
                                   due_at=now - timedelta(days=10)) for k in range(10)])
    item = WaterItem(project_id=project.id, name="矿泉水", unit="瓶", min_stock=24)
    session.add(item)
    session.flush()
    session.add_all([RestockRequest(project_id=project.id, item_id=item.id, stock=3) for _ in range(5)])
    return project.id


@figure
def attention_figures(bench) -> list[Figure]:
    """The needs-attention home of a supervisor of 30 sites, each with 10x the demo's records; its statements
    against the same home over 3 of those sites (they must not grow with the number of projects)."""
    from sqlmodel import select

    from app.accounts import services as accounts
    from app.accounts.models import User
    from app.core.db import engine, utcnow
    from app.projects.models import Organisation, Project
    from tests.queries import queries_for

    app, now = bench.app, utcnow()
    with app.app_context(), Session(engine(), expire_on_commit=False) as session:
        org = session.exec(select(Organisation)).first()
        admin = session.exec(select(User).where(User.username == "admin")).one()
        guard = session.exec(select(User).where(User.username == "guard1")).one()
        leads = {n: accounts.create_user(session, actor=admin, organisation_id=org.id, username=f"lead{n}",
                                         display_name=f"区域经理{n}", password="demo1234") for n in (3, 30)}
        sites = [_busy_site(session, org, f"压测案场{n:02d}", now, guard.id) for n in range(30)]
        session.commit()
        projects = {p.id: p for p in session.exec(select(Project).where(Project.id.in_(sites)))}
        for n, lead in leads.items():
            for project_id in sites[:n]:
                accounts.add_membership(session, actor=admin, user=lead, project=projects[project_id], role="supervisor")
        session.commit()
    thirty, three = log_in(app, "lead30"), log_in(app, "lead3")
    return [page("needs-attention home, 30 sites at 10x demo data", thirty, "/", 20, 150),
            Figure("its statements, 30 sites / 3 sites", queries_for(app, thirty, "/"), "statements",
                   baseline=queries_for(app, three, "/"))]


@figure
def month_figures(bench) -> list[Figure]:
    """The month matrix of 500 sites (the organisation's, topped up to 500), each with six months of rounds,
    tickets, complaints and an inspection a month: the page, its statement count and the PDF."""
    import random
    from datetime import timedelta

    import sqlalchemy as sa
    from sqlmodel import select

    from app.checklists.models import ChecklistTemplate
    from app.checklists.services import current_version
    from app.complaints.models import Complaint
    from app.core.db import engine, utcnow, zone
    from app.inspections.models import Inspection, InspectionSheet
    from app.inspections.ranking import freeze, month_of, previous_month
    from app.inspections.services import settings_for
    from app.month.jobs import count_months, freeze_months
    from app.patrols.models import Round, Route
    from app.projects.models import Project
    from app.repairs.models import Ticket
    from tests.queries import statements_for

    app, sites, rng, now = bench.app, 500, random.Random(23), utcnow()
    with app.app_context(), Session(engine()) as session:
        have = session.exec(select(sa.func.count()).select_from(Project).where(Project.organisation_id == 1)).one()
        projects = [Project(organisation_id=1, name=f"月报压测项目 {n:03d}") for n in range(sites - have)]
        session.add_all(projects)
        session.flush()
        routes = [Route(project_id=p.id, name="月报压测路线") for p in projects]
        session.add_all(routes)
        session.flush()
        template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.key == "property-inspection")).one()
        version = current_version(session, template)
        rounds, tickets, complaints = [], [], []
        for project, route in zip(projects, routes, strict=True):
            for day in range(0, 180, 3):  # a round every third day, half a year
                slot = now - timedelta(days=day, hours=2)
                rounds.append({"project_id": project.id, "route_id": route.id, "slot_start": slot, "window_end": slot,
                               "deadline": slot, "closes_at": slot, "stops": [], "guard_ids": [], "generated_at": now,
                               "outcome": rng.choice(["done", "done", "late", "missed", "incomplete"])})
            for i in range(120):  # 20 tickets and 5 complaints a month
                created = now - timedelta(days=rng.randint(0, 179), minutes=rng.randint(0, 1440))
                done = rng.random() < 0.8
                tickets.append({"project_id": project.id, "number": f"BX-M-{project.id}-{i}", "description": "压测",
                                "category": "水", "status": "closed" if done else "reported", "reported_at": created,
                                "created_at": created, "due_at": created + timedelta(days=7),
                                "finished_at": created + timedelta(hours=rng.randint(1, 200)) if done else None,
                                "callback_reached": done or None, "satisfaction": rng.randint(2, 5) if done else None})
            for i in range(30):
                received = now - timedelta(days=rng.randint(0, 179), minutes=rng.randint(0, 1440))
                complaints.append({"project_id": project.id, "number": f"TS-M-{project.id}-{i}", "description": "压测",
                                   "complainant_phone": "13800000000", "category": "服务", "channel": "phone",
                                   "status": "closed", "received_at": received, "created_at": received,
                                   "reply_due_at": received + timedelta(hours=24),
                                   "resolve_due_at": received + timedelta(days=3),
                                   "first_replied_at": received + timedelta(hours=2),
                                   "replied_at": received + timedelta(hours=rng.randint(2, 100))})
            for month in range(6):
                at = now - timedelta(days=30 * month + 1)
                row = Inspection(project_id=project.id, inspected_at=at, objection_deadline=at, status="effective")
                session.add(row)
                session.flush()
                session.add(InspectionSheet(inspection_id=row.id, project_id=project.id, template_id=template.id,
                                            version_id=version.id, name=template.name, base_score=144,
                                            original_score=100 + rng.randint(0, 44), score=100 + rng.randint(0, 44),
                                            percentage=0))
        defaults = {c.name: c.default.arg for c in Ticket.__table__.columns if c.default is not None
                    and not callable(c.default.arg)}
        complaint_defaults = {c.name: c.default.arg for c in Complaint.__table__.columns if c.default is not None
                              and not callable(c.default.arg)}
        if projects:  # none when the ranking's figure (--scale 10) has already made 500 sites
            session.execute(sa.insert(Round), rounds)
            session.execute(sa.insert(Ticket), [{**defaults, **t} for t in tickets])
            session.execute(sa.insert(Complaint), [{**complaint_defaults, **c} for c in complaints])
        session.commit()
        close_day = settings_for(session, 1).close_day
        month = month_of(now, close_day, zone())
        for _ in range(5):  # what the clock does once a month has closed: its ranking stored
            month = previous_month(month)
            freeze(session, organisation_id=1, month=month, now=now)
        freeze_months(session, now, app.config)  # and the figures of the months that are final
        count_months(session, now, app.config)  # and those of the months still open, as it does every 5 minutes
    admin = log_in(app, "admin")
    month = previous_month(now.astimezone().strftime("%Y-%m"))  # the last whole month, as a manager reads it
    url = f"/organisations/1/month?month={month}"
    statements = len(statements_for(app, admin, url))
    return [page(f"month matrix page, {sites} sites × 6 months (100 shown)", admin, url, 10, 300),
            Figure(f"month matrix page, {sites} sites: SQL statements", statements, "statements"),
            pdf(f"month matrix PDF, {sites} sites", admin, f"/organisations/1/month.pdf?month={month}", 3, 3000)]


@figure
def browser_figures(bench) -> list[Figure]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, KEPT_PAGES_JS, PHONE_CONTEXT

    app = bench.app
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE_CONTEXT, base_url=base)
        page = context.new_page()
        log_in_page(page, "guard1")
        page.goto("/projects/1/report")
        while not page.evaluate(KEPT_PAGES_JS, ["/projects/1/report"]):
            page.wait_for_timeout(100)
        context.set_offline(True)
        times = []
        for _ in range(10):
            page.reload()
            times.append(page.evaluate(
                "performance.getEntriesByType('navigation')[0].loadEventEnd"))
        browser.close()
    server.shutdown()
    return [Figure("offline reload of a kept form page (chromium)", statistics.median(times), target=300)]


PHONE_TIMINGS_JS = """async (runs) => {
    const form = document.getElementById("inspection-form");
    // the 144-point sheet alone (the other sheet unticked), every item answered
    const sheet = [...form.querySelectorAll(".inspect-sheet")].find(
        (el) => JSON.parse(el.querySelector("script.sheet-definition").textContent).base_score === 144);
    for (const toggle of form.querySelectorAll("[data-sheet-toggle]")) {
        toggle.checked = toggle.dataset.sheetToggle === sheet.dataset.sheet;
    }
    for (const input of form.querySelectorAll('.inspect-item input[value="pass"]')) input.checked = true;
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    async function time(fn) {
        const xs = [];
        for (let i = 0; i < runs; i++) { const t = performance.now(); await fn(); xs.push(performance.now() - t); }
        return median(xs);
    }
    const userId = Number(document.body.dataset.userId);
    const data = Object.fromEntries([...new FormData(form)].filter(([, v]) => typeof v === "string"));
    const entry = { userId, kind: "inspection", projectId: 1, data, photos: [], label: "bench", formUrl: "/" };
    return {
        items: sheet.querySelectorAll(".inspect-item").length,
        refused: WuyeRules.checkSheets(form),
        validate: await time(() => WuyeRules.checkSheets(form)),
        read: await time(() => [...new FormData(form)]),
        queue: await time(() => WuyeOutbox.add(entry)),
        count: await time(() => WuyeOutbox.counts(userId)),
    };
}"""


@figure
def phone_figures(bench) -> list[Figure]:
    """On the phone (chromium): checking the 144-point sheet and queueing a visit, each beside a baseline
    measured in the same run (the whole form read as FormData; one read of the outbox)."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE_CONTEXT

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, bench.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE_CONTEXT, base_url=f"http://127.0.0.1:{server.server_port}")
        page = context.new_page()
        log_in_page(page, "inspector1")
        page.goto("/projects/1/inspections/new")
        context.set_offline(True)  # the queued entries stay on the phone
        result = page.evaluate(PHONE_TIMINGS_JS, 50)
        browser.close()
    server.shutdown()
    assert result["refused"] is None, result["refused"]
    return [Figure(f"phone: check the 144-point sheet ({result['items']} items)", result["validate"],
                   baseline=result["read"], target=20),
            Figure("phone: queue the visit in the outbox", result["queue"], baseline=result["count"], target=50)]


def run(scale: int, only: str | None, grown: dict | None = None, database_url: str | None = None,
        against: str = "growth") -> list[Figure]:
    """Every figure function's figures at this scale, each function's printed as soon as it is done (a long run
    that fails late keeps what it measured); beside each, its change from the same figure in `grown`."""
    bench = Bench(app=setup_app(database_url), scale=scale)
    figures = []
    report([], grown, against=against)
    for fn in FIGURES:
        if only is None or any(name in fn.__name__ for name in only.split(",")):
            start = time.perf_counter()
            made = fn(bench)
            report(made, grown, header=False, against=against)
            figures.extend(made)
            print(f"  {fn.__name__} at {scale}x: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return figures


def show(value: float | None, unit: str = "ms") -> str:
    if value is None:
        return ""
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"


def report(figures: list[Figure], grown: dict[str, Figure] | None = None, header: bool = True,
           against: str = "growth") -> None:
    if header:
        print(f"{'figure':<56} {'median':>16} {'baseline':>10} {'ratio':>7} {'target':>18}  met"
              + (f"  {against}" if grown else ""))
    for f in figures:
        target = f"{'≥' if f.higher_is_better else '<'} {show(f.target, f.unit)}" if f.target is not None else ""
        met = {True: "yes", False: "NO", None: ""}[f.met]
        ratio = f"{f.ratio:.1f}×" if f.ratio else ""
        line = f"{f.name:<56} {show(f.value, f.unit):>16} {show(f.baseline, f.unit):>10} {ratio:>7} {target:>18}  {met:<3}"
        before = grown.get(_kind(f.name)) if grown else None
        if before and before.value and f.value:  # how many times slower: by ratio where there is a baseline (the two
            # runs differ in load); none for a figure that was 0 (a count of retries, say)
            if f.higher_is_better:
                growth = before.value / f.value
            else:
                growth = f.ratio / before.ratio if f.ratio and before.ratio else f.value / before.value
            bound = f.growth_under and (f.growth_under if against == "growth" else PAGE_ON_POSTGRESQL)
            line += f"  {growth:.1f}×" + (f" {'yes' if growth < bound else 'NO'} (< {bound:g}×)" if bound else "")
        print(line)


def _kind(name: str) -> str:
    """A figure's name without its counts, so the 1x and the 10x run pair up."""
    return "".join(ch for ch in name if not ch.isdigit() and ch != ",")


def _timed_tick(app, pipe) -> None:
    """One tick in a forked process; sends back its duration and its longest write transaction (SQLite's lock)."""
    from sqlalchemy import event

    from app.core import clock

    eng = app.extensions["engine"]
    eng.dispose(close=False)  # the parent's connections stay the parent's
    holds, began = [0.0], {}

    @event.listens_for(eng, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):  # the transaction's first write
            began.setdefault(id(conn.connection.dbapi_connection), time.perf_counter())  # (SQLite locks here)

    @event.listens_for(eng, "commit")
    @event.listens_for(eng, "rollback")
    def _ended(conn):
        start = began.pop(id(conn.connection.dbapi_connection), None)
        if start is not None:
            holds.append(time.perf_counter() - start)

    start = time.perf_counter()
    outcomes = clock.run_due(app, force=True)
    assert not any(o.error for o in outcomes), [o.error for o in outcomes if o.error]
    pipe.send((time.perf_counter() - start, max(holds)))


class Served:
    """The bench app served as `make run` serves it (app/core/serve.py: waitress, 32 threads, in one forked process
    per core on one socket) on a free port; the serving processes are forked from this one and stopped on exit."""

    def __init__(self, app, processes: int | None = None):
        from app.core.serve import listening

        self.app, self.processes = app, processes or int(os.environ["WEB_PROCESSES"])
        self.sock = listening("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]

    def __enter__(self):
        from app.core.serve import serve

        self.pid = os.fork()
        if self.pid == 0:
            try:
                serve(self.app, self.sock, self.processes)
            finally:
                os._exit(0)
        return self

    def __exit__(self, *exc):
        os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        self.sock.close()

    def request(self, cookie: str, method: str, url: str, body: bytes = b"", headers=None) -> int:
        return _http(self.port, method, url, body, {"Cookie": cookie, **(headers or {})})


def _http(port: int, method: str, url: str, body: bytes = b"", headers=None) -> int:
    """One request to 127.0.0.1:`port` on a connection of its own, read whole; its status."""
    return _http_answer(port, method, url, body, headers)[0]


def _http_answer(port: int, method: str, url: str, body: bytes = b"", headers=None) -> tuple[int, dict]:
    """The same request; its status and headers."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(method, url, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def _cookie(client) -> str:
    return "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())


def _bare_intake_app(encode: bool):
    """The burst's baseline: the least any server does with an outbox upload, a Flask app that reads the multipart
    body, decodes the photo, re-encodes it if `encode` (one JPEG encode, Pillow's defaults: the issue's "minimal
    Flask app doing decode + re-encode + one insert") and inserts one row (one SQLite connection per process, one
    writer at a time), served the same way."""
    from flask import Flask, request

    bare, lock, connections = Flask("bare-intake"), threading.Lock(), {}
    path = baseline_db().execute("PRAGMA database_list").fetchone()[2]

    @bare.post("/api/v1/records/<client_id>")
    def upload(client_id):
        with Image.open(request.files["photos"].stream) as image:
            image.load()
            if encode:
                image.save(io.BytesIO(), "JPEG")
        with lock:
            db = connections.get(os.getpid()) or connections.setdefault(os.getpid(), baseline_db(path))
            db.execute("INSERT INTO photo (width, height, size) VALUES (?, ?, ?)",
                       (image.width, image.height, request.content_length))
            db.commit()
        return "", 201

    return bare


LOOK_EVERY = 0.5  # seconds between a supervisor's looks at the board during a burst (a person looks far less often)


def _burst_clients(port: int, guards: int, visits: int, uploads: list, look, pipe) -> None:
    """In a process of its own (phones are not threads of the server's process, whose GIL they would share):
    `guards` threads each sending `visits` of `uploads` (headers, body) at once, an upload sent again when a
    503's Retry-After says, as the phone's outbox does; meanwhile, if `look` (cookie, url) is given, that page
    fetched every LOOK_EVERY seconds. Sends back the statuses, the seconds the uploads took, the 503s and the
    page's latencies in ms."""
    statuses, retried, latencies, done = [], [], [], threading.Event()

    def one_guard(g: int) -> None:
        for v in range(visits):
            headers, body = uploads[(g * visits + v) % len(uploads)]
            url = f"/api/v1/records/{uuid.uuid4()}"  # the same outbox entry each time it is sent
            while (answer := _http_answer(port, "POST", url, body, headers))[0] == 503:
                retried.append(1)
                time.sleep(int(answer[1]["Retry-After"]))
            statuses.append(answer[0])

    def watch() -> None:
        while not done.is_set():
            started = time.perf_counter()
            assert _http(port, "GET", look[1], headers={"Cookie": look[0]}) == 200
            latencies.append((time.perf_counter() - started) * 1000)
            done.wait(LOOK_EVERY)

    watcher = threading.Thread(target=watch) if look else None
    threads = [threading.Thread(target=one_guard, args=(g,)) for g in range(guards)]
    start = time.perf_counter()
    if watcher:
        watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    done.set()
    if watcher:
        watcher.join()
    pipe.send((statuses, took, len(retried), latencies))


def _burst(served, guards: int, visits: int, uploads: list, look=None) -> tuple[list[int], float, int, list[float]]:
    parent, child = multiprocessing.get_context("fork").Pipe()
    clients = multiprocessing.get_context("fork").Process(target=_burst_clients,
                                                          args=(served.port, guards, visits, uploads, look, child))
    clients.start()
    result = parent.recv()
    clients.join()
    return result


@figure
def burst_figures(bench) -> list[Figure]:
    """20 guards per scale step (200 at --scale 10) each sending 10 records with a ~300 KB photo at once, through
    waitress as `make run` serves it, from a process of their own; meanwhile a supervisor looks at the patrol
    board twice a second, its p95 against the same page's p95 before the burst. The burst's throughput against the
    same burst sent to a bare Flask app that decodes each photo, re-encodes it and inserts a row (the issue's
    minimal app), and to one that only decodes and inserts (`_bare_intake_app`), served in the same way."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    guards, visits = 20 * bench.scale, 10
    guard, supervisor = log_in(bench.app, "guard1"), log_in(bench.app, "supervisor1")
    token = guard.get("/api/v1/session").json["csrf_token"]
    record = json.dumps({"kind": "ticket_report", "project_id": 1, "client_time": "2026-11-23T10:00:00+08:00",
                         "data": {"description": "压测巡逻记录"}})
    uploads = []
    for seed in range(8):
        part = FileStorage(io.BytesIO(photo_of_about_300kb(seed)), filename="p.jpg", content_type="image/jpeg")
        boundary, body = encode_multipart({"record": record, "photos": part})  # (a tuple would go as its str)
        uploads.append(({"Cookie": _cookie(guard), "X-CSRFToken": token,
                         "Content-Type": f"multipart/form-data; boundary={boundary}"}, body))
    bare_took = {}
    for encode in (False, True):
        with Served(_bare_intake_app(encode)) as bare:
            bare_took[encode] = _burst(bare, guards, visits, uploads)[1]
    board = (_cookie(supervisor), "/projects/1/patrols")
    with Served(bench.app) as served:
        quiet = []
        for _ in range(20):
            start = time.perf_counter()
            assert served.request(board[0], "GET", board[1]) == 200
            quiet.append((time.perf_counter() - start) * 1000)
        statuses, took, retried, busy = _burst(served, guards, visits, uploads, board)
    print(f"  burst: {took:.1f} s; the bare app's {bare_took[True]:.1f} s ({bare_took[False]:.1f} s without the "
          "encode)", file=sys.stderr)
    accepted = sum(1 for s in statuses if s in (200, 201))
    p95 = lambda values: statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]  # noqa: E731
    return [Figure(f"burst: {guards} guards × {visits} records, 300 KB photo, accepted", accepted, "records",
                   target=guards * visits, higher_is_better=True),
            Figure("burst: 503s answered and sent again (Retry-After)", retried, "times"),
            Figure(f"burst: supervisor's board p95 during it ({len(busy)} looks)", p95(busy), baseline=p95(quiet),
                   target=500),
            Figure("burst: throughput / the same to a bare decode, encode and insert", bare_took[True] / took
                   * accepted / (guards * visits), "×", target=0.6, higher_is_better=True),
            Figure("burst: throughput / the same to a bare decode and insert", bare_took[False] / took * accepted
                   / (guards * visits), "×")]


@figure
def clock_figures(bench) -> list[Figure]:
    """The clock beside its baselines: a tick with nothing due (the jobs of every minute) before and after adding 200
    projects with a night schedule each, and the jobs of every 5 minutes or hour (counts, sweeps) after; catching
    up their 31 days (37,000 rounds made and settled) beside inserting as many rows plainly; the longest write
    transaction of that catch-up, and an outbox upload's p95 alone and beside it."""
    from datetime import time as wall
    from datetime import timedelta

    import sqlalchemy as sa

    from app.core import clock
    from app.core.db import engine, utcnow
    from app.patrols.models import Round, Route, RouteStop, Schedule
    from app.projects.models import Area, Checkpoint, Project

    app = bench.app
    # A minute's tick runs the jobs of every minute; the counts (every 5 minutes) and sweeps (hourly) are timed apart
    minutely = [name for name, job_ in clock.JOBS.items() if job_.every <= timedelta(minutes=1)]
    periodic = [name for name in clock.JOBS if name not in minutely]

    def tick(names=None) -> list:
        outcomes = clock.run_due(app, force=True, names=names)
        assert not any(o.error for o in outcomes), [o.error for o in outcomes if o.error]
        return outcomes

    while any(o.result for o in tick() if o.job == "repairs.overdue"):  # what the other figures left due (the
        pass  # tickets past their targets are told 50,000 a tick)
    idle_before = median_ms(lambda: tick(minutely), 5)
    with app.app_context(), Session(engine()) as session:
        for n in range(200):
            project = Project(organisation_id=1, name=f"时钟压测 {n:03d}", kind="residential")
            session.add(project)
            session.flush()
            area = Area(project_id=project.id, name="园区")
            session.add(area)
            session.flush()
            points = [Checkpoint(project_id=project.id, area_id=area.id, name=f"点 {i}") for i in range(3)]
            route = Route(project_id=project.id, name="夜间巡逻")
            session.add_all([*points, route])
            session.flush()
            session.add_all([RouteStop(route_id=route.id, position=i + 1, checkpoint_id=c.id) for i, c in enumerate(points)])
            session.add(Schedule(route_id=route.id, name="夜班", start=wall(20), end=wall(8), interval_minutes=120,
                                 changed_at=utcnow() - timedelta(days=40)))
        session.commit()

    guard = log_in(app, "guard1")
    token = guard.get("/api/v1/session").json["csrf_token"]

    def uploads(latencies: list, until=None, count: int = 40):
        while len(latencies) < count or (until is not None and until()):
            start = time.perf_counter()
            post_record(guard, token, uuid.uuid4())
            latencies.append((time.perf_counter() - start) * 1000)

    def p95(values: list) -> float:
        return statistics.quantiles(values, n=20)[18]

    alone = []
    uploads(alone)
    # The catch-up runs in a process of its own, as the clock does beside gunicorn: only the database is shared.
    parent, child = multiprocessing.get_context("fork").Pipe()
    ticker = multiprocessing.get_context("fork").Process(target=_timed_tick, args=(app, child))
    beside = []
    ticker.start()
    uploads(beside, until=lambda: not parent.poll(), count=5)
    catch_up, longest = parent.recv()
    ticker.join()
    with app.app_context(), Session(engine()) as session:
        made = session.execute(sa.select(sa.func.count()).select_from(Round).join(Schedule, Schedule.id == Round.schedule_id)
                               .where(Schedule.name == "夜班", Round.outcome == "missed")).scalar_one()
        row = dict(session.execute(sa.select(Round.__table__).limit(1)).mappings().one())
        row.pop("id")
        table = sa.Table("plain_round", sa.MetaData(), *[sa.Column(c.name, c.type) for c in Round.__table__.columns
                                                          if c.name != "id"], prefixes=["TEMPORARY"])
        table.create(session.connection())
        start = time.perf_counter()
        session.execute(table.insert(), [row] * made)
        session.commit()
        plain = time.perf_counter() - start
    idle_after = median_ms(lambda: tick(minutely), 5)
    return [Figure("clock: tick, nothing due, +200 projects", idle_after, baseline=idle_before, target=1000),
            Figure("clock: the 5-minute counts and hourly jobs, +200 projects", median_ms(lambda: tick(periodic), 3),
                   target=1000),
            Figure(f"clock: catch up 31 days × 200 schedules ({made} missed)", catch_up, "s", baseline=plain,
                   target=30),
            Figure("clock: longest write transaction of the catch-up", longest * 1000, target=200),
            Figure("outbox upload p95 beside the catch-up", p95(beside), baseline=p95(alone), target=2 * p95(alone))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="also run on N times the data and print the growth")
    parser.add_argument("--only", help="only the figure functions whose name contains this (or one of these, a,b)")
    parser.add_argument("--postgresql", action="store_true",
                        help="each scale again on a throwaway PostgreSQL server, beside the SQLite figures")
    args = parser.parse_args()
    scales = [1, args.scale] if args.scale > 1 else [1]
    first = None
    for scale in scales:
        if scale > 1:
            print(f"\n-- {scale}x data --")
        figures = run(scale, args.only, first)
        first = first or {_kind(f.name): f for f in figures}
        if args.postgresql:
            from tests.pg import postgres_server

            print(f"\n-- {scale}x data, PostgreSQL --")
            with postgres_server() as url:
                run(scale, args.only, {_kind(f.name): f for f in figures}, url, against="vs SQLite")


if __name__ == "__main__":
    main()
