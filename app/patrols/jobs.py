"""The patrol clock: rounds exist whether or not anyone looks, and a round nobody walked is recorded and told.

`patrols.rounds` generates every slot of every active schedule from its last generated round up to tomorrow,
catching up after downtime (at most CLOCK_CATCH_UP_DAYS), never a slot that had closed before the schedule was
made or changed. `patrols.settle` records the outcome of each round once it has closed (done, late, incomplete,
missed) and tells the project's supervisors about the missed ones, one notice per project per batch.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.core.clock import batches, job
from app.core.notifications import link, notify
from app.patrols.models import Round, Route, Schedule, Visit
from app.patrols.notices import MISSED
from app.patrols.services import _snapshot, assess_rounds
from app.patrols.slots import Slot, due_on, service_day, slots_for_day

BATCH = 60  # rows per transaction: SQLite's write lock held ~2-6 ms at a time (an upload beside waits that long)


def _wanted(schedule: Schedule, days, tz: str) -> list[Slot]:
    return [slot for day in days if due_on(day, rhythm=schedule.rhythm, weekdays=schedule.weekdays,
                                           month_day=schedule.month_day, month_week=schedule.month_week)
            for slot in slots_for_day(
                day=day, start=schedule.start, end=schedule.end, interval_minutes=schedule.interval_minutes,
                window_minutes=schedule.window_minutes, grace_minutes=schedule.grace_minutes, tz=tz)]


def _due_slots(session: Session, schedule: Schedule, last_slot, last_generated, today: date, floor: date,
               tz: str) -> list[Slot]:
    """The slots of this schedule still to generate, oldest first (weekly and monthly ones have days without)."""
    tomorrow = today + timedelta(days=1)
    changed = last_generated is None or last_generated < schedule.changed_at
    if not changed and schedule.rhythm == "daily" and last_slot >= _wanted(schedule, [tomorrow], tz)[-1].start:
        return []  # the usual minute of a daily schedule: up to date
    open_days = 1 + (schedule.window_minutes + schedule.grace_minutes) // (24 * 60)  # a long window still open
    first = max(floor, service_day(schedule.changed_at, tz) - timedelta(days=open_days))
    if not changed:  # only the days since the last slot made (weekly, monthly: mostly none due)
        first = max(first, service_day(last_slot, tz) - timedelta(days=1))
    days = [first + timedelta(days=n) for n in range((tomorrow - first).days + 1)]
    slots = [s for s in _wanted(schedule, days, tz) if s.closes > schedule.changed_at]
    if not changed:
        return [s for s in slots if s.start > last_slot]
    existing = set(session.exec(select(Round.slot_start).where(
        Round.schedule_id == schedule.id, Round.slot_start >= slots[0].start)).all()) if slots else set()
    return [s for s in slots if s.start not in existing]


def generate_rounds(session: Session, now: datetime, config) -> int:
    """Generate the missing rounds up to tomorrow; returns how many were made."""
    tz = config["TIMEZONE"]
    today = now.astimezone(ZoneInfo(tz)).date()
    floor = today - timedelta(days=int(config["CLOCK_CATCH_UP_DAYS"]))
    last_slot = (select(sa.func.max(Round.slot_start)).where(Round.schedule_id == Schedule.id)
                 .correlate(Schedule).scalar_subquery())
    last_generated = (select(Round.generated_at).where(Round.schedule_id == Schedule.id)
                      .order_by(Round.slot_start.desc()).limit(1).correlate(Schedule).scalar_subquery())
    rows = session.exec(select(Schedule, Route, last_slot, last_generated).join(Route, Route.id == Schedule.route_id)
                        .where(Route.active == True, Schedule.active == True)  # noqa: E712
                        .order_by(Schedule.id)).all()
    made, snapshots = 0, {}
    for schedule, route, last, generated in rows:
        slots = _due_slots(session, schedule, last, generated, today, floor, tz)
        if not slots:
            continue
        if route.id not in snapshots:
            snapshots[route.id] = _snapshot(session, route)
        for chunk in batches(slots, BATCH):
            values = [{"project_id": route.project_id, "route_id": route.id, "schedule_id": schedule.id,
                       "slot_start": s.start, "window_end": s.window_end, "deadline": s.deadline,
                       "closes_at": s.closes, "stops": snapshots[route.id], "guard_ids": list(schedule.guard_ids),
                       "generated_at": now} for s in chunk]
            try:
                session.execute(Round.__table__.insert(), values)
                session.commit()
            except IntegrityError:  # another process is generating this schedule's rounds right now
                session.rollback()
                break
            made += len(chunk)
    return made


def _claim(session: Session, ids: list[int], outcome: str) -> bool:
    return session.exec(sa.update(Round).where(Round.id.in_(ids), Round.outcome.is_(None))
                        .values(outcome=outcome)).rowcount == len(ids)


def settle_rounds(session: Session, now: datetime, config) -> int:
    """Record the outcome of every closed round not yet settled; alert supervisors about the missed ones.
    Batches go project by project, so after downtime a supervisor gets one notice (or a few), not one a slot.
    A round nobody visited is missed without loading it (after downtime they are nearly all of them)."""
    tz, settled = config["TIMEZONE"], 0
    unsettled = (Round.outcome.is_(None), Round.closes_at <= now)
    order = (Round.project_id, Round.closes_at, Round.id)
    visited = sa.exists().where(Visit.round_id == Round.id)
    while rows := session.exec(select(Round.id, Round.project_id, Round.route_id, Round.slot_start, Round.schedule_id)
                               .where(*unsettled, Round.deadline < now, ~visited).order_by(*order)
                               .limit(BATCH * 2)).all():
        if not _claim(session, [row.id for row in rows], "missed"):  # another process is settling these
            session.rollback()
            return settled
        _tell_missed(session, rows, tz)
        session.commit()
        settled += len(rows)
    while rounds := session.exec(select(Round).where(*unsettled).order_by(*order).limit(BATCH)).all():
        views = assess_rounds(session, rounds, now)
        by_outcome: dict[str, list[int]] = {}
        for view in views:
            by_outcome.setdefault(view.assessment.status, []).append(view.round.id)
        if not all(_claim(session, ids, outcome) for outcome, ids in by_outcome.items()):
            session.rollback()
            return settled
        _tell_missed(session, [v.round for v in views if v.assessment.status == "missed"], tz)
        session.commit()
        settled += len(rounds)
    return settled


def _tell_missed(session: Session, rounds, tz: str) -> None:
    """One notice per project for these missed rounds (anything with id, project_id, route_id, slot_start,
    schedule_id); a round started at will and left unwalked was nobody's duty, so it is recorded, not told."""
    rounds = [r for r in rounds if r.schedule_id is not None]
    if not rounds:
        return
    by_project: dict[int, list] = {}
    for round_ in rounds:
        by_project.setdefault(round_.project_id, []).append(round_)
    names = dict(session.exec(select(Route.id, Route.name).where(Route.id.in_({r.route_id for r in rounds}))).all())
    for project_id, missed in by_project.items():
        first = min(missed, key=lambda r: (r.slot_start, r.id))
        notify(session, user_ids=member_ids(session, project_id, ("supervisor",)), event=MISSED, project_id=project_id,
               params={"count": len(missed), "route": names.get(first.route_id, ""),
                       "slot": first.slot_start.isoformat()},
               link=link("patrols.board", project_id=project_id, date=service_day(first.slot_start, tz).isoformat()),
               key=f"patrols.missed:{first.id}")


job("patrols.rounds", every=timedelta(minutes=1), run=generate_rounds)
job("patrols.settle", every=timedelta(minutes=1), run=settle_rounds)
