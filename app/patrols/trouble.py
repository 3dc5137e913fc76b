"""What the supervisor's home reads of the rounds, for many projects at once: the routes in trouble in a window
(missed, left incomplete, started late) and a service day's counts; a fixed number of queries either way."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from app.patrols.models import Round, Route, Visit
from app.patrols.services import _day_start, assess_rounds

TROUBLE = ("missed", "incomplete", "late")


@dataclass
class RouteTrouble:
    """A route's rounds missed (or left incomplete) and started late whose deadline fell in a window."""

    route: object  # a row of the route's id, project_id and name
    missed: list[tuple[int, datetime, datetime]] = field(default_factory=list)  # (round id, slot, deadline)
    late: list[tuple[int, datetime, datetime]] = field(default_factory=list)
    since: datetime | None = None  # the first deadline passed of those listed first (missed, else late)
    guard_ids: set[int] = field(default_factory=set)


def rounds_in_trouble(session: Session, project_ids: list[int], since: datetime, now: datetime) -> list[RouteTrouble]:
    """Per route of these projects, the rounds missed, left incomplete or started late whose deadline fell in
    (since, now]: those the clock has settled are read as a few columns, the others (still open) are assessed;
    a fixed number of queries whatever the number of projects or rounds."""
    if not project_ids:
        return []
    window = (Round.project_id.in_(list(project_ids)), Round.slot_start > since - timedelta(days=1),  # the index
              Round.deadline > since, Round.deadline <= now)
    rows = [(id_, route_id, slot, deadline, guards, outcome) for id_, route_id, slot, deadline, guards, outcome in
            session.exec(select(Round.id, Round.route_id, Round.slot_start, Round.deadline, Round.guard_ids,
                                Round.outcome).where(*window, Round.outcome.in_(TROUBLE))).all()]
    open_rounds = session.exec(select(Round).where(*window, Round.outcome.is_(None))).all()
    for view in assess_rounds(session, open_rounds, now):
        if view.assessment.status in TROUBLE:
            r = view.round
            rows.append((r.id, r.route_id, r.slot_start, r.deadline, r.guard_ids, view.assessment.status))
    if not rows:
        return []
    routes = {r.id: RouteTrouble(route=r) for r in session.exec(select(Route.id, Route.project_id, Route.name).where(
        Route.id.in_({row[1] for row in rows})).order_by(Route.id)).all()}
    for id_, route_id, slot, deadline, guards, outcome in sorted(rows, key=lambda row: (row[2], row[0])):
        trouble = routes[route_id]
        (trouble.late if outcome == "late" else trouble.missed).append((id_, slot, deadline))
        trouble.guard_ids.update(guards or [])
    for trouble in routes.values():
        trouble.since = (trouble.missed or trouble.late)[0][2]
    return list(routes.values())


def day_counts(session: Session, project_ids: list[int], day: date, now: datetime) -> dict[int, dict[str, int]]:
    """{project id: {"due": rounds whose slot has begun, "done": finished or walked whole, "missed": past their
    deadline with no visit, or settled missed / incomplete}} for a service day, with one grouped query."""
    if not project_ids:
        return {}
    begin = _day_start(day) + timedelta(hours=6)
    visited = select(Visit.id).where(Visit.round_id == Round.id).correlate(Round).exists()
    done = sa.or_(Round.outcome.in_(("done", "late")), sa.and_(Round.outcome.is_(None), Round.finished_at.is_not(None)))
    missed = sa.or_(Round.outcome.in_(("missed", "incomplete")),
                    sa.and_(Round.outcome.is_(None), Round.deadline < now, ~visited))
    rows = session.exec(select(Round.project_id, func.count(), func.sum(sa.case((done, 1), else_=0)),
                               func.sum(sa.case((missed, 1), else_=0)))
                        .where(Round.project_id.in_(list(project_ids)), Round.slot_start >= begin,
                               Round.slot_start < begin + timedelta(days=1), Round.slot_start <= now)
                        .group_by(Round.project_id)).all()
    return {p: {"due": n, "done": int(d or 0), "missed": int(m or 0)} for p, n, d, m in rows}
