"""The repairs clock: a ticket past its project's dispatch or completion target alerts once, whoever is looking.

Many tickets of one project going past the same target in one tick (after the clock was stopped for a while, or
history brought in) are told as one notice with their number, not one message each: a supervisor's WeCom group
gets one line instead of hundreds (the robots also refuse more than 20 messages a minute).
"""
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.core.clock import ClockMark, batches, job, once
from app.core.db import insert_new
from app.core.notifications import link, notify
from app.repairs import figures, notices
from app.repairs.models import Ticket
from app.repairs.services import LATE_STATES, SETTING_LIMITS, clock, settings_for

FLOOD = 10  # more tickets than this of one project and target in one tick: one notice with their number
MOST = 50_000  # tickets told at most in one tick (a flood after the clock was stopped: the rest the next minutes)


def _unalerted(now: datetime):
    """Tickets not told yet and past a target, or a dispatch target of the shortest kind (each project's own is
    `clock`'s): read through the two alert indexes, so neither the tickets told long ago nor those reported in the
    last minute are read (at a busy company, tens of thousands each minute)."""
    reported_before = now - timedelta(minutes=SETTING_LIMITS["dispatch_minutes"][0])
    return sa.or_(sa.and_(Ticket.status == "reported", Ticket.dispatch_alerted == sa.false(),
                          Ticket.created_at < reported_before),
                  sa.and_(Ticket.status.in_(LATE_STATES), Ticket.completion_alerted == sa.false(), Ticket.due_at < now))


TOLD = {"dispatch": Ticket.dispatch_alerted, "completion": Ticket.completion_alerted}


def _told(session: Session, what: str, tickets: list) -> None:
    """Mark `tickets` told (by this process or, its claim refused, by another), in the claims' transaction."""
    session.exec(sa.update(Ticket).where(Ticket.id.in_([t.id for t in tickets])).values({TOLD[what]: True}))


class Late(NamedTuple):
    """What telling a ticket needs, and what `clock` reads of it: a row, not a Ticket (a commit would expire tens of
    thousands of loaded tickets, each read again)."""

    id: int
    number: str
    project_id: int
    assignee_id: int | None
    status: str
    created_at: datetime
    due_at: datetime | None


def _overdue(session: Session, now: datetime) -> dict[int, dict[str, list[Late]]]:
    """{project id: {what the ticket waits for: its tickets past that target, not told yet}}, the oldest MOST."""
    rows = session.exec(select(*[getattr(Ticket, name) for name in Late._fields]).where(_unalerted(now))
                        .order_by(Ticket.id).limit(MOST)).all()
    settings, found = {}, defaultdict(lambda: defaultdict(list))
    for late in map(Late._make, rows):
        if late.project_id not in settings:
            settings[late.project_id] = settings_for(session, late.project_id)
        state = clock(late, settings[late.project_id], now)
        if state and state.overdue:
            found[late.project_id][state.what].append(late)
    return found


def _tell_each(session: Session, tickets: list[Late], what: str, supervisors: list[int], now: datetime) -> int:
    alerted = 0
    for chunk in batches(tickets, 100):
        for ticket in chunk:
            if not once(session, f"repairs.overdue-{what}:{ticket.id}", now):
                continue
            users = [u for u in supervisors + [ticket.assignee_id or 0] if u]
            notify(session, user_ids=users, event=notices.OVERDUE[what], project_id=ticket.project_id,
                   params={"number": ticket.number}, link=link("repairs.ticket", ticket_id=ticket.id),
                   key=f"overdue-{what}:{ticket.id}")
            alerted += 1
        _told(session, what, chunk)
        session.commit()
    return alerted


def _tell_together(session: Session, tickets: list[Late], what: str, supervisors: list[int], now: datetime) -> int:
    """One notice of how many: to the supervisors (all of them) and to each engineer (theirs), committed with the
    first batch of claims; were the tick stopped after it, the tickets not yet claimed are told by the next one."""
    counts = defaultdict(int)
    for ticket in tickets:
        for user in {*supervisors, ticket.assignee_id or 0} - {0}:
            counts[user] += 1
    claimed = 0
    for number, chunk in enumerate(batches(tickets, 500)):
        marks = [ClockMark(key=f"repairs.overdue-{what}:{t.id}", at=now) for t in chunk]
        got = len(insert_new(session, marks, unique=["key"]))
        if number == 0 and got:
            for user, count in counts.items():
                notify(session, user_ids=[user], event=notices.OVERDUE_MANY[what], project_id=chunk[0].project_id,
                       params={"count": count}, link=link("repairs.tickets", project_id=chunk[0].project_id),
                       key=f"overdue-{what}-many:{chunk[0].id}")
        claimed += got
        _told(session, what, chunk)
        session.commit()
    return claimed


def alert_overdue(session: Session, now: datetime, config) -> int:
    """Tell the project's supervisors and the assigned engineer once about each ticket past its target."""
    alerted = 0
    for project_id, found in sorted(_overdue(session, now).items()):
        supervisors = member_ids(session, project_id, ("supervisor",))
        for what, tickets in found.items():
            tell = _tell_together if len(tickets) > FLOOD else _tell_each
            alerted += tell(session, tickets, what, supervisors, now)
        session.commit()
    return alerted


job("repairs.overdue", every=timedelta(minutes=1), run=alert_overdue)


def count_months(session: Session, now: datetime, config) -> int:
    """Count this month's and last month's repair figures of every project for the figures page (rows kept)."""
    return figures.count_open(session, now=now, tz=config["TIMEZONE"])


job("repairs.count", every=figures.DRAFT_EVERY, run=count_months)
