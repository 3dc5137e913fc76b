"""What the supervisor's home reads of the rounds, for many projects at once: the routes in trouble in a window
(missed, left incomplete, started late) and a service day's counts; a fixed number of queries either way."""
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from app.core.db import among
from app.patrols.models import Round, Route, Visit
from app.patrols.services import _day_start, assess_rounds

TROUBLE = ("missed", "incomplete", "late")


@dataclass
class Kind:
    """A route's rounds of one kind of trouble (missed or left incomplete; started late) in the window."""

    count: int = 0
    first_deadline: datetime | None = None
    last_slot: datetime | None = None
    last_id: int = 0  # the newest round's id: an acknowledged line comes back when it changes
    slots: list[datetime] = field(default_factory=list)  # in order; read only when the route is listed alone

    def add(self, count: int, first_deadline: datetime, last_slot: datetime, last_id: int) -> None:
        self.count += count
        self.first_deadline = min(filter(None, (self.first_deadline, first_deadline)))
        self.last_slot = max(filter(None, (self.last_slot, last_slot)))
        self.last_id = max(self.last_id, last_id)


@dataclass
class RouteTrouble:
    """A route's rounds missed (or left incomplete) and started late whose deadline fell in a window."""

    route: object  # a row of the route's id, project_id and name
    missed: Kind = field(default_factory=Kind)
    late: Kind = field(default_factory=Kind)
    guard_ids: set[int] = field(default_factory=set)

    @property
    def shown(self) -> Kind:
        """What its line is about: the missed rounds, else the late ones."""
        return self.missed if self.missed.count else self.late

    @property
    def since(self) -> datetime:
        return self.shown.first_deadline


def rounds_in_trouble(session: Session, project_ids: list[int], since: datetime, now: datetime, *,
                      listed: int | None = None) -> list[RouteTrouble]:
    """Per route of these projects, the rounds missed, left incomplete or started late whose deadline fell in
    (since, now]: those the clock has settled are counted in SQL, the others (still open) are assessed. The slots
    of each kind are read for the routes of projects with at most `listed` routes in trouble (any, when None):
    the others are shown folded. A fixed number of queries whatever the number of projects or rounds."""
    if not project_ids:
        return []
    window = (among(Round.project_id, project_ids), Round.slot_start > since - timedelta(days=1),  # the index
              Round.deadline > since, Round.deadline <= now)
    settled = (*window, Round.outcome.in_(TROUBLE))
    late = sa.case((Round.outcome == "late", 1), else_=0).label("late")
    counts = session.exec(select(Round.route_id, late, func.count(), func.min(Round.deadline),
                                 func.max(Round.slot_start), func.max(Round.id))
                          .where(*settled).group_by(Round.route_id, late)).all()
    guards = set(session.exec(select(Round.route_id, sa.cast(Round.guard_ids, sa.Text)).where(*settled).distinct()))
    unsettled = []
    for view in assess_rounds(session, session.exec(select(Round).where(*window, Round.outcome.is_(None))).all(), now):
        if view.assessment.status in TROUBLE:
            r = view.round
            unsettled.append((r.route_id, int(view.assessment.status == "late"), r.slot_start))
            counts.append((r.route_id, unsettled[-1][1], 1, r.deadline, r.slot_start, r.id))
            guards.add((r.route_id, json.dumps(r.guard_ids)))
    if not counts:
        return []
    routes = {r.id: RouteTrouble(route=r) for r in session.exec(select(Route.id, Route.project_id, Route.name).where(
        Route.id.in_({row[0] for row in counts})).order_by(Route.id)).all()}
    for route_id, is_late, *figures in counts:
        (routes[route_id].late if is_late else routes[route_id].missed).add(*figures)
    for route_id, text in guards:
        routes[route_id].guard_ids.update(json.loads(text) or [] if text else [])
    per_project = Counter(t.route.project_id for t in routes.values())
    alone = [i for i, t in routes.items() if listed is None or per_project[t.route.project_id] <= listed]
    if alone:
        slots = session.exec(select(Round.route_id, late, Round.slot_start).where(*settled, Round.route_id.in_(alone)))
        for route_id, is_late, slot in sorted([*slots, *(u for u in unsettled if u[0] in alone)], key=lambda u: u[2]):
            (routes[route_id].late if is_late else routes[route_id].missed).slots.append(slot)
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
                        .where(among(Round.project_id, project_ids), Round.slot_start >= begin,
                               Round.slot_start < begin + timedelta(days=1), Round.slot_start <= now)
                        .group_by(Round.project_id)).all()
    return {p: {"due": n, "done": int(d or 0), "missed": int(m or 0)} for p, n, d, m in rows}
