"""Rounds exist whether or not anyone looks: the clock generates them, catches up, and records the missed ones."""
import os
import subprocess
import sys
import threading
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from app.core.clock import run_due
from app.core.db import get_session
from app.core.notifications import Notification, text_of
from app.patrols import services
from app.patrols.models import Round, Schedule
from tests.patrols.conftest import night_route, three_checkpoints

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = datetime.now(SHANGHAI).date() - timedelta(days=6)  # in the past, whatever the real clock says


def noon(days_after: int) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=days_after), time(12), tzinfo=SHANGHAI).astimezone(timezone.utc)


@pytest.fixture
def night(app, world, db) -> Schedule:
    """A 20:00-08:00 schedule every 2 h (six rounds a night) made at noon on DAY0; the world's own schedules stop."""
    db.exec(sa.update(Schedule).values(active=False))
    db.commit()
    with app.test_request_context():
        _route, schedule, _template = night_route(get_session(), world, three_checkpoints(db, world), name="夜班",
                                                  start="20:00", end="08:00", interval_minutes=120)
    db.exec(sa.update(Schedule).where(Schedule.id == schedule.id).values(changed_at=noon(0)))
    db.commit()
    return db.get(Schedule, schedule.id)


def rounds_of(db, schedule: Schedule) -> list[Round]:
    db.expire_all()
    return db.exec(select(Round).where(Round.schedule_id == schedule.id).order_by(Round.slot_start)).all()


def nights(rounds: list[Round]) -> dict:
    """The rounds by the night they belong to (20:00 to 08:00 next morning)."""
    out: dict = {}
    for round_ in rounds:
        out.setdefault((round_.slot_start.astimezone(SHANGHAI) - timedelta(hours=12)).date(), []).append(round_)
    return out


def missed_notices(db) -> list[Notification]:
    db.expire_all()
    return db.exec(select(Notification).where(Notification.event == "patrols.missed")).all()


def test_a_first_tick_makes_tonight_and_tomorrow_night_but_nothing_before_the_schedule_existed(app, night, db):
    run_due(app, noon(0), force=True)
    by_night = nights(rounds_of(db, night))
    assert sorted(by_night) == [DAY0, DAY0 + timedelta(days=1)]
    assert all(len(rounds) == 6 for rounds in by_night.values())


def test_three_days_without_a_request_then_one_tick_leaves_every_round_and_every_missed_one(app, night, db, world):
    run_due(app, noon(0), force=True)
    outcomes = {o.job: o for o in run_due(app, noon(3), force=True)}  # nobody looked for three days
    assert not any(o.error for o in outcomes.values())
    by_night = nights(rounds_of(db, night))
    assert sorted(by_night) == [DAY0 + timedelta(days=n) for n in range(5)]  # up to tomorrow night
    assert all(len(rounds) == 6 for rounds in by_night.values())
    with app.test_request_context():
        session = get_session()
        project = session.get(type(world.p1), world.p1.id)
        missed = [services.board(session, project=project, day=DAY0 + timedelta(days=n),
                                 now=noon(3))["counts"]["missed"] for n in range(5)]
    assert missed == [5, 6, 6, 1, 0]  # a service day runs 06:00 to 06:00: the 06:00 round is the next day's
    closed = [r for r in rounds_of(db, night) if r.closes_at <= noon(3)]
    assert len(closed) == 18 and {r.outcome for r in closed} == {"missed"}
    notices = missed_notices(db)
    assert [n.user_id for n in notices] == [world.users["supervisor"].id]  # one notice for the batch, not 18
    with app.test_request_context():
        assert "18" in text_of(notices[0])


def test_the_daily_report_of_a_day_nobody_looked_at_lists_its_missed_rounds(app, night, db, world, login_as):
    run_due(app, noon(0), force=True)
    run_due(app, noon(3), force=True)
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/patrols?date={DAY0 + timedelta(days=1)}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("漏巡") >= 6


def test_a_second_tick_changes_nothing(app, night, db):
    run_due(app, noon(0), force=True)
    run_due(app, noon(3), force=True)
    before = [(r.id, r.slot_start, r.outcome) for r in rounds_of(db, night)], len(missed_notices(db))
    outcomes = {o.job: o.result for o in run_due(app, noon(3), force=True)}
    assert outcomes["patrols.rounds"] == 0 and outcomes["patrols.settle"] == 0
    assert ([(r.id, r.slot_start, r.outcome) for r in rounds_of(db, night)], len(missed_notices(db))) == before


def test_catching_up_is_bounded_by_the_configured_days(app, night, db, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK_CATCH_UP_DAYS", 2)
    run_due(app, noon(5), names=["patrols.rounds"], force=True)
    assert sorted(nights(rounds_of(db, night))) == [DAY0 + timedelta(days=n) for n in range(3, 7)]


def test_a_changed_schedule_adds_its_new_slots_without_back_filling(app, night, db):
    run_due(app, noon(0), force=True)
    run_due(app, noon(3), force=True)
    db.exec(sa.update(Schedule).where(Schedule.id == night.id).values(interval_minutes=60, window_minutes=30,
                                                                      changed_at=noon(3) + timedelta(seconds=30)))
    db.commit()
    run_due(app, noon(3) + timedelta(minutes=1), force=True)
    by_night = nights(rounds_of(db, night))
    assert [len(by_night[DAY0 + timedelta(days=n)]) for n in range(5)] == [6, 6, 6, 12, 12]


def test_deleted_rounds_of_the_last_days_are_made_again(app, night, db):
    run_due(app, noon(0), force=True)
    run_due(app, noon(3), force=True)
    db.exec(sa.delete(Round).where(Round.schedule_id == night.id, Round.slot_start >= noon(1)))
    db.commit()
    run_due(app, noon(3) + timedelta(minutes=1), force=True)
    assert [len(r) for r in nights(rounds_of(db, night)).values()] == [6] * 5


def _count(db, night) -> tuple[int, int, int]:
    """Rounds, distinct slots, and missed rounds told (a notice may tell several, never one twice)."""
    db.expire_all()
    rounds = db.exec(select(func.count()).select_from(Round).where(Round.schedule_id == night.id)).one()
    distinct = db.exec(select(func.count(sa.distinct(Round.slot_start))).where(Round.schedule_id == night.id)).one()
    return rounds, distinct, sum(n.params["count"] for n in missed_notices(db))


def test_two_ticks_at_once_generate_and_alert_each_thing_once(app, night, db):
    run_due(app, noon(0), force=True)
    barrier, errors = threading.Barrier(2), []

    def tick():
        barrier.wait()
        errors.extend(o.error for o in run_due(app, noon(3), force=True) if o.error)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(db, night) == (30, 30, 18)
    assert {r.outcome for r in rounds_of(db, night) if r.closes_at <= noon(3)} == {"missed"}


def test_two_processes_ticking_at_once_generate_and_alert_each_thing_once(app, night, db):
    run_due(app, noon(0), force=True)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "t",
           "INSTANCE_DIR": app.config["INSTANCE_DIR"].as_posix(), "FLASK_APP": "app"}
    at = noon(3).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S%z")
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "tick", "--now", at], env=env, cwd=root,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    run_due(app, noon(3) + timedelta(minutes=1))  # the next minute settles what one made while the other settled
    assert _count(db, night) == (30, 30, 18)
