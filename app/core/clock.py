"""The clock: what happens because time passed (rounds due, missed, overdue, windows closed), run without a reader.

Each capability registers its jobs at import in `app/<cap>/jobs.py`, like its sync kinds:

    job("patrols.rounds", every=timedelta(minutes=1), run=generate_rounds)

where `run(session, now, config)` does what is due at `now` and commits its own batches (a tick must never hold
SQLite's write lock for long). `flask tick` runs every due job once; `flask tick --loop` every minute. Several
processes may tick at once on one database: a job run is claimed with compare-and-set on its `clock_run` row,
and each job claims its own rows the same way (or by a unique key), so nothing is generated or alerted twice.
Jobs run in an app context without a request: they never build URLs (notifications carry `link(...)`).
"""
import logging
import os
import signal
import threading
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from app.core.db import UTCDateTime, insert_new, update_if, utcnow

log = logging.getLogger("wuye.clock")


class ClockRun(SQLModel, table=True):
    """One row per job: when it may run next, and how its last run went (shared by every ticking process)."""

    __tablename__ = "clock_run"

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60, unique=True)
    runs: int = Field(default=0)  # bumped by compare-and-set: the process that bumps it runs the job
    next_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=500)  # the last run's exception, "" when it went well


class ClockMark(SQLModel, table=True):
    """A thing the clock did once ("repairs.overdue-dispatch:42"): its unique key is the claim."""

    __tablename__ = "clock_mark"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def once(session: Session, key: str, now: datetime | None = None) -> bool:
    """Claim `key` in this transaction: True the first time ever, False once any process has claimed it. The
    claim commits (or rolls back) with what it guards, so an alert is raised exactly once."""
    if session.exec(select(ClockMark.id).where(ClockMark.key == key)).first() is not None:
        return False
    return bool(insert_new(session, [ClockMark(key=key, at=now or utcnow())], unique=["key"]))


def unmarked(prefix: str, column):
    """A condition for queries: no mark `prefix` + the row's id yet (rows already done are not even loaded)."""
    return ~sa.exists().where(ClockMark.key == sa.literal(prefix) + sa.cast(column, sa.String))


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[..., object]  # run(session, now, config) -> anything worth logging (a count)


JOBS: dict[str, Job] = {}


def job(name: str, *, every: timedelta = timedelta(minutes=1), run: Callable[..., object]) -> Job:
    """Register a clock job (once per name; importing a module twice keeps one)."""
    JOBS[name] = Job(name, every, run)
    return JOBS[name]


@dataclass
class Outcome:
    job: str
    ran: bool
    result: object = None
    error: str = ""
    seconds: float = 0.0


def _claim(session: Session, job_: Job, now: datetime, force: bool) -> bool:
    """Take this run of the job for this process, or False when it is not due or another process took it."""
    row = session.exec(select(ClockRun).where(ClockRun.job == job_.name)).first()
    if row is None:
        session.add(ClockRun(job=job_.name))
        try:
            session.commit()
        except IntegrityError:  # another process registered it first
            session.rollback()
        row = session.exec(select(ClockRun).where(ClockRun.job == job_.name)).one()
    if not force and row.next_at is not None and row.next_at > now:
        return False
    claimed = update_if(session, row, ClockRun.runs == row.runs, runs=row.runs + 1, started_at=now,
                        next_at=now + job_.every)
    session.commit()
    return claimed


def _finish(engine, name: str, error: str) -> None:
    with Session(engine) as session:
        session.exec(sa.update(ClockRun).where(ClockRun.job == name).values(finished_at=utcnow(), error=error[:500]))
        session.commit()


WRITES = ("INSERT", "UPDATE", "DELETE")


def _yielding(session: Session, most: float = 0.05) -> None:
    """After each commit that wrote, the job pauses as long as it held SQLite's write lock (at least 2 ms, at
    most `most`). A request that found the lock taken sleeps in SQLite's busy handler in growing steps (1, 2, 5,
    10, 15… ms) and retries; back-to-back batches would leave it no free moment to wake into, so an upload beside
    a catch-up waited for several batches. With the pause the lock is free half the time at least and the request
    gets in at its next retry. The log it wrote is checkpointed then, passively (neither readers nor writers wait),
    so requests seldom pay for it. PostgreSQL locks rows, not the database: no pause there."""
    held: dict[str, float] = {}

    def _begin(_session, _transaction, connection):
        def _write(_conn, _cursor, statement, *_args):
            if "at" not in held and statement.lstrip()[:6].upper() in WRITES:
                held["at"] = _time.perf_counter()
        event.listen(connection, "before_cursor_execute", _write)

    def _commit(session_):
        began = held.pop("at", None)
        if began is not None:
            with session_.get_bind().connect() as connection:  # what it wrote copied back by the clock, not by a
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")  # request (app/core/db.py)
            _time.sleep(min(most, max(0.002, _time.perf_counter() - began)))

    if session.get_bind().dialect.name == "sqlite":
        event.listen(session, "after_begin", _begin)
        event.listen(session, "after_commit", _commit)
        event.listen(session, "after_rollback", lambda _session: held.clear())


def run_due(app, now: datetime | None = None, *, force: bool = False, names: Iterable[str] | None = None
            ) -> list[Outcome]:
    """Run each due job once, each in its own session; a job that raises is logged and the others still run.
    `force` runs them whether due or not (seed-demo, tests): the jobs themselves never repeat their work."""
    from app.core.db import engine

    now = now or utcnow()
    outcomes = []
    with app.app_context():
        engine_, config = engine(), app.config
        for name in sorted(names or JOBS):
            job_ = JOBS[name]
            began = _time.perf_counter()
            with Session(engine_, expire_on_commit=False) as session:
                _yielding(session)
                try:
                    if not _claim(session, job_, now, force):
                        outcomes.append(Outcome(name, ran=False))
                        continue
                    result = job_.run(session, now, config)
                    session.commit()
                    error = ""
                except Exception as exc:  # noqa: BLE001  (one job's failure must not stop the tick)
                    session.rollback()
                    log.exception("clock job %s failed", name)
                    result, error = None, f"{type(exc).__name__}: {exc}"
            _finish(engine_, name, error)
            outcomes.append(Outcome(name, ran=True, result=result, error=error,
                                    seconds=_time.perf_counter() - began))
    return outcomes


def batches(items: list, size: int) -> Iterable[list]:
    """Slices of `items`: a job commits after each, so no write transaction lasts long."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _watch(pid: int, stop: threading.Event) -> None:
    """Set `stop` once process `pid` has ended."""
    while not stop.wait(1.0):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop.set()
        except PermissionError:  # alive, someone else's
            pass


def loop(app, *, interval: float = 60.0, stop: threading.Event | None = None, names=None, watched_pid=None,
         on_start=None, on_tick=None) -> None:
    """Tick every `interval` seconds until SIGTERM / SIGINT, `stop` is set or process `watched_pid` ends; a
    failing tick is logged and the next one comes."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_args: stop.set())
    if watched_pid:
        threading.Thread(target=_watch, args=(watched_pid, stop), daemon=True).start()
    if on_start:
        on_start()
    try:
        while not stop.is_set():
            began = _time.monotonic()
            try:
                outcomes = run_due(app, names=names)
                if on_tick:
                    on_tick(outcomes)
            except Exception:  # noqa: BLE001  (the database may be away for a moment: try again next minute)
                log.exception("clock tick failed")
            stop.wait(max(0.0, interval - (_time.monotonic() - began)))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
