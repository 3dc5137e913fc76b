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
from app.core.clock import ClockMark, batches, job, once, unmarked
from app.core.db import insert_new
from app.core.notifications import link, notify
from app.repairs import figures, notices
from app.repairs.models import Ticket
from app.repairs.services import LATE_STATES, clock, settings_for

FLOOD = 10  # more tickets than this of one project and target in one tick: one notice with their number
PAGE = 1000  # tickets read at a time


def _unalerted(now: datetime):
    """Tickets that may have run past a target and were not alerted yet; each project's own targets decide."""
    return sa.or_(sa.and_(Ticket.status == "reported", unmarked("repairs.overdue-dispatch:", Ticket.id)),
                  sa.and_(Ticket.status.in_(LATE_STATES), Ticket.due_at < now,
                          unmarked("repairs.overdue-completion:", Ticket.id)))


class Late(NamedTuple):
    id: int
    number: str
    project_id: int
    assignee_id: int | None


def _overdue(session: Session, project_id: int, now: datetime) -> dict[str, list[Late]]:
    """{what the ticket waits for: the project's tickets past that target, not alerted yet}, read a page at a time
    and kept as plain tuples (a commit would expire tens of thousands of loaded tickets, each read again)."""
    settings, found, last = settings_for(session, project_id), defaultdict(list), 0
    while page := session.exec(select(Ticket).where(Ticket.project_id == project_id, Ticket.id > last, _unalerted(now))
                               .order_by(Ticket.id).limit(PAGE)).all():
        for ticket in page:
            state = clock(ticket, settings, now)
            if state and state.overdue:
                found[state.what].append(Late(ticket.id, ticket.number, ticket.project_id, ticket.assignee_id))
        last = page[-1].id
        session.expunge_all()
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
        session.commit()
    return claimed


def alert_overdue(session: Session, now: datetime, config) -> int:
    """Tell the project's supervisors and the assigned engineer once about each ticket past its target."""
    alerted = 0
    projects = session.exec(select(Ticket.project_id).where(_unalerted(now)).distinct()).all()
    for project_id in sorted(projects):
        found = _overdue(session, project_id, now)
        supervisors = member_ids(session, project_id, ("supervisor",)) if found else []
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
