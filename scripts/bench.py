"""Benchmarks (`make bench`): timings on a scratch SQLite database and headless chromium. Figures, not assertions.

Prints medians for: login (argon2id at production cost), the home and project pages, the QR label PDF,
accepting a record with two ~300 KB photos, delivering and replaying 100 entries, the first-load transfer
of the app shell with one form page, and an offline reload of a kept form page in chromium.
"""
import gzip
import io
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from PIL import Image
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def photo_of_about_300kb(seed: int) -> bytes:
    picture = Image.effect_noise((900, 700), 40 + seed).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def setup_app():
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-"))
    os.environ.update(INSTANCE_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}", SECRET_KEY="bench")
    from app import create_app
    from app.core.db import engine, upgrade_to_head
    from app.projects.models import Area, Checkpoint

    app = create_app()
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
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": username, "password": "demo1234", "csrf_token": token})
    return client


def post_record(client, token, client_id, photos=()):
    record = {"kind": "ticket_report", "project_id": 1, "client_time": "2026-11-23T10:00:00+08:00",
              "data": {"description": "压测报修"}}
    data = {"record": json.dumps(record), "photos": [(io.BytesIO(p), f"{i}.jpg") for i, p in enumerate(photos)]}
    response = client.post(f"/api/v1/records/{client_id}", data=data, headers={"X-CSRFToken": token})
    assert response.status_code in (200, 201), response.get_data(as_text=True)


def server_figures(app) -> dict[str, str]:
    client = log_in(app)
    figures = {
        "login page + login (argon2id, production cost)": f"{median_ms(lambda: log_in(app), 5):.1f} ms",
        "home page": f"{median_ms(lambda: client.get('/'), 30):.1f} ms",
        "project page (60 checkpoints)": f"{median_ms(lambda: client.get('/projects/1'), 30):.1f} ms",
        "QR label PDF (60 labels)": f"{median_ms(lambda: client.get('/projects/1/labels.pdf'), 3):.0f} ms",
    }
    guard = log_in(app, "guard1")
    token = guard.get("/api/v1/session").json["csrf_token"]
    photos = [photo_of_about_300kb(1), photo_of_about_300kb(2)]
    size = sum(len(p) for p in photos) // 2 // 1024
    figures[f"accept a record with two {size} KB photos"] = (
        f"{median_ms(lambda: post_record(guard, token, uuid.uuid4(), photos), 20):.1f} ms")
    ids = [uuid.uuid4() for _ in range(100)]
    start = time.perf_counter()
    for client_id in ids:
        post_record(guard, token, client_id)
    figures["100 entries delivered back to back"] = f"{100 / (time.perf_counter() - start):.0f} entries/s"
    start = time.perf_counter()
    for client_id in ids:
        post_record(guard, token, client_id)
    figures["the same 100 entries replayed"] = f"{100 / (time.perf_counter() - start):.0f} entries/s"
    shell = ["/static/css/app.css", "/static/js/app.js", "/static/vendor/htmx/htmx.min.js",
             "/static/vendor/idb/umd.js", "/static/js/outbox.js", "/static/js/offline-forms.js",
             "/manifest.webmanifest", "/projects/1/report"]
    shell_bytes = sum(len(gzip.compress(guard.get(url).data)) for url in shell)
    figures["app shell + one form page, gzip, first load"] = f"{shell_bytes / 1024:.1f} KB"
    return figures


def patrol_figures(app) -> dict[str, str]:
    """A 30-checkpoint round with 10 photos; a board of 50 routes and 2,000 visits; the round's PDF."""
    from datetime import timedelta

    from app.core.db import engine, utcnow
    from app.patrols.models import Round, Route, RouteStop, Schedule, Visit
    from app.projects.models import Area, Checkpoint, Project

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
        from app.accounts.models import Membership

        session.add_all([Membership(user_id=u, project_id=project.id, role=role)
                         for u, role in ((2, "guard"), (7, "supervisor"))])
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
    board = median_ms(lambda: supervisor.get(f"/projects/{project_id}/patrols"), 10)
    pdf = median_ms(lambda: supervisor.get(f"/rounds/{walk_id}/report.pdf"), 3)
    return {"a 30-checkpoint round with 10 photos, synced": f"{seconds:.2f} s",
            "patrol board: 50 routes, 2,000 visits": f"{board:.0f} ms",
            "30-checkpoint round PDF with 10 photos": f"{pdf:.0f} ms"}


def repair_figures(app) -> dict[str, str]:
    """Photo intake of a 12-megapixel JPEG; a list and the monthly figures over 10,000 tickets."""
    import random
    from datetime import timedelta

    from app.core.db import engine, utcnow
    from app.core.photos import process
    from app.repairs.models import Ticket

    big = io.BytesIO()
    Image.effect_noise((4000, 3000), 30).convert("RGB").save(big, "JPEG", quality=90)
    intake = median_ms(lambda: process(big.getvalue(), max_bytes=50_000_000), 5)
    now = utcnow()
    rng = random.Random(7)
    with app.app_context(), Session(engine()) as session:
        for i in range(10_000):
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
    supervisor = log_in(app, "supervisor1")
    month = now.astimezone().strftime("%Y-%m")
    return {
        "photo intake, 12-megapixel JPEG": f"{intake:.0f} ms",
        "ticket list of 10,000, filtered, page 3": f"{median_ms(lambda: supervisor.get('/projects/1/tickets?show=open&category=电&page=3'), 20):.0f} ms",
        "monthly figures page, 10,000 tickets": f"{median_ms(lambda: supervisor.get(f'/projects/1/repairs/figures?month={month}'), 10):.0f} ms",
    }


def handovers_figures(app) -> dict[str, str]:
    """A 120-item sample-room handover with 5 photos and 2 signatures through the sync API, and its PDF."""
    from sqlmodel import select

    from app.accounts.models import User
    from app.core.db import engine, utcnow
    from app.handovers.models import InventoryVersion, Room
    from app.projects.models import Area

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
    pdf = median_ms(lambda: supervisor.get(f"/handovers/{ids[-1]}/record.pdf"), 3)
    return {"handover, 120 items, 5 photos + 2 signatures, accepted": f"{accepted:.0f} ms",
            "handover record PDF, 120 items, 5 photos": f"{pdf:.0f} ms"}


def shifts_figures(app) -> dict[str, str]:
    """The attendant's my-shift page and counter taps, and the daily report over a year of water-bar records."""
    from datetime import timedelta

    from sqlmodel import select

    from app.core.db import engine, utcnow
    from app.projects.models import Project
    from app.shifts.models import Post, ShiftPattern, WaterCount, WaterEntry, WaterItem

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
    return {
        "visitor taps delivered back to back": f"{taps:.0f} taps/s",
        "my-shift page (7 items, a year of water bar)": f"{median_ms(lambda: attendant.get(f'/projects/{project_id}/my-shift'), 20):.0f} ms",
        "shift board page": f"{median_ms(lambda: supervisor.get(f'/projects/{project_id}/shifts'), 20):.0f} ms",
        "daily shift report PDF": f"{median_ms(lambda: supervisor.get(f'/projects/{project_id}/shifts/daily.pdf'), 3):.0f} ms",
        "water-bar month page": f"{median_ms(lambda: supervisor.get(f'/projects/{project_id}/water/month'), 10):.0f} ms",
    }


def browser_figures(app) -> dict[str, str]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, KEPT_PAGES_JS, PHONE_CONTEXT

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE_CONTEXT, base_url=base)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "guard1")
        page.fill("#password", "demo1234")
        page.click("button[type=submit]")
        page.wait_for_url("**/")
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
    return {"offline reload of a kept form page (chromium)": f"{statistics.median(times):.0f} ms"}


def inspections_figures(app) -> dict[str, str]:
    """The 144-point sheet (79 items) scored with 20 photographed deductions; its PDF; a ranking of 200 sites × 4."""
    from datetime import timedelta

    from app.checklists.models import ChecklistTemplate
    from app.checklists.services import current_version
    from app.core.db import engine, utcnow
    from sqlmodel import select

    from app.inspections.models import Inspection, InspectionSheet
    from app.projects.models import Project

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
    pdf_ms = median_ms(lambda: inspector.get(f"/inspections/{ids[-1]}/report.pdf"), 3)

    now = utcnow()
    with app.app_context(), Session(engine()) as session:
        for n in range(200):
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
    ranking_ms = median_ms(lambda: admin.get("/organisations/1/ranking"), 10)
    return {"inspection: 144-point sheet, 20 photos, sync (server)": f"{sync_ms:.0f} ms",
            "inspection: its report PDF (20 photos)": f"{pdf_ms:.0f} ms",
            "inspection: ranking page, 200 sites × 4 inspections": f"{ranking_ms:.1f} ms"}


def _timed_tick(app, pipe) -> None:
    """One tick in a forked process; sends back its duration and its longest write transaction (SQLite's lock)."""
    from sqlalchemy import event

    from app.core import clock

    eng = app.extensions["engine"]
    eng.dispose(close=False)  # the parent's connections stay the parent's
    holds, began = [0.0], {}

    @event.listens_for(eng, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        dbapi = conn.connection.dbapi_connection
        if not dbapi.in_transaction and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            began[id(dbapi)] = time.perf_counter()

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


def clock_figures(app) -> dict[str, str]:
    """The clock beside its baselines: a tick with nothing due before and after adding 200 projects with a night
    schedule each; catching up their 31 days (37,000 rounds made and settled) beside inserting as many rows
    plainly; the longest write transaction of that catch-up, and an outbox upload's p95 alone and beside it."""
    from datetime import time as wall, timedelta

    import sqlalchemy as sa

    from app.core import clock
    from app.core.db import engine, utcnow
    from app.patrols.models import Round, Route, RouteStop, Schedule
    from app.projects.models import Area, Checkpoint, Project

    def tick():
        outcomes = clock.run_due(app, force=True)
        assert not any(o.error for o in outcomes), [o.error for o in outcomes if o.error]

    tick()  # what the other figures left due
    idle_before = median_ms(tick, 5)
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
    idle_after = median_ms(tick, 5)
    return {"clock: tick, nothing due (bench data, baseline)": f"{idle_before:.0f} ms",
            "clock: tick, nothing due, +200 projects": f"{idle_after:.0f} ms",
            f"clock: catch up 31 days × 200 schedules ({made} missed)": f"{catch_up:.1f} s",
            f"clock: baseline, {made} rows inserted plainly": f"{plain:.2f} s",
            "clock: longest write transaction of the catch-up": f"{longest * 1000:.0f} ms",
            "outbox upload p95 alone / beside the catch-up": f"{p95(alone):.0f} / {p95(beside):.0f} ms"}


def main() -> None:
    app = setup_app()
    figures = server_figures(app)
    figures.update(patrol_figures(app))
    figures.update(repair_figures(app))
    figures.update(handovers_figures(app))
    figures.update(inspections_figures(app))
    figures.update(shifts_figures(app))
    figures.update(clock_figures(app))
    figures.update(browser_figures(app))
    for name, value in figures.items():
        print(f"{name:<48} {value:>14}")


if __name__ == "__main__":
    main()
