"""The clock: registered jobs run when due, each in its own transaction; one crashing job does not stop the others."""
import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.core import clock
from app.core.clock import ClockMark, ClockRun, once, run_due
from app.core.db import utcnow


@pytest.fixture
def jobs(monkeypatch):
    """Only the test's own jobs are registered."""
    monkeypatch.setattr(clock, "JOBS", {})
    return clock.JOBS


def test_a_crashing_job_is_logged_and_the_others_still_run(app, db, jobs, caplog):
    ran = []
    clock.job("a.crash", run=lambda session, now, config: 1 / 0)
    clock.job("b.fine", run=lambda session, now, config: ran.append(now) or "done")
    with caplog.at_level(logging.ERROR, logger="wuye.clock"):
        outcomes = {o.job: o for o in run_due(app)}
    assert outcomes["a.crash"].error.startswith("ZeroDivisionError") and outcomes["b.fine"].result == "done"
    assert len(ran) == 1
    assert "a.crash" in caplog.text
    errors = {r.job: r.error for r in db.exec(select(ClockRun)).all()}
    assert errors["a.crash"].startswith("ZeroDivisionError") and errors["b.fine"] == ""


def test_a_crashing_job_leaves_nothing_half_written(app, db, jobs):
    def half(session, now, config):
        session.add(ClockMark(key="half"))
        session.flush()
        raise RuntimeError("boom")

    clock.job("half", run=half)
    run_due(app)
    assert db.exec(select(ClockMark)).all() == []


def test_a_job_runs_again_only_once_its_interval_has_passed(app, jobs):
    ran = []
    clock.job("hourly", every=timedelta(hours=1), run=lambda session, now, config: ran.append(now))
    now = utcnow()
    for moment in (now, now + timedelta(minutes=59), now + timedelta(hours=1), now + timedelta(hours=1)):
        run_due(app, moment)
    assert ran == [now, now + timedelta(hours=1)]


def test_two_ticks_at_once_run_a_due_job_once(app, jobs):
    ran, barrier = [], threading.Barrier(2)
    clock.job("once", run=lambda session, now, config: ran.append(now))
    now = utcnow()
    run_due(app, now - timedelta(hours=1))  # the row exists; the race is on its claim
    threads = [threading.Thread(target=lambda: (barrier.wait(), run_due(app, now))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ran == [now - timedelta(hours=1), now]


def test_once_claims_a_key_a_single_time(app, db):
    assert once(db, "x:1") is True
    db.commit()
    assert once(db, "x:1") is False
    assert once(db, "x:2") is True
    db.rollback()  # a claim rolled back with its work is no claim
    assert once(db, "x:2") is True


def test_the_loop_ticks_until_it_is_stopped(app, jobs):
    ticks, stop = [], threading.Event()
    clock.job("count", run=lambda session, now, config: ticks.append(now))

    def on_tick(outcomes):
        if len(ticks) >= 1:
            stop.set()

    handler = signal.getsignal(signal.SIGINT)
    clock.loop(app, interval=0, stop=stop, on_tick=on_tick)
    assert len(ticks) == 1
    assert signal.getsignal(signal.SIGINT) is handler  # the test runner's own handler is given back


def test_flask_tick_runs_the_registered_jobs_and_says_so(app):
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "patrols.rounds" in result.output and "repairs.overdue" in result.output
    assert app.test_cli_runner().invoke(args=["tick", "--job", "nope"]).exit_code != 0


def test_flask_tick_loop_stops_on_sigterm(app):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "t",
           "INSTANCE_DIR": app.config["INSTANCE_DIR"].as_posix(), "FLASK_APP": "app"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "tick", "--loop"], env=env, cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "Clock running" in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0]
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "Clock stopped." in output


def test_the_clock_copies_what_it_wrote_into_the_database_file_so_requests_need_not(app, db, jobs):
    """SQLite writes to a log first; whoever commits past its size copies it back. The clock does it after each of
    its writes, so an upload beside a catch-up does not; a request's own write stays in the log meanwhile."""
    import sqlite3

    engine = db.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no write-ahead log of the app's to copy back")
    clock.job("a.writes", run=lambda session, now, config: once(session, "by-the-clock", now) and session.commit())
    assert not run_due(app)[0].error
    once(db, "by-a-request")
    db.commit()
    path = engine.url.database
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as file_only:  # the database file, not its log
        keys = {key for (key,) in file_only.execute("SELECT key FROM clock_mark")}
    assert "by-the-clock" in keys and "by-a-request" not in keys
