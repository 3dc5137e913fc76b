"""What supervisors and other pages read: each room's last handover, a room's history, the day's records."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Bundle, aliased
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import users_by_id
from app.core.db import among, count_by
from app.handovers.inventory import rooms_of
from app.handovers.models import STATUS_LABELS, Amendment, Handover, HandoverLine, Room, RoomCheck
from app.projects.models import Project


@dataclass
class RoomStatus:
    room: Room
    handover: Handover | None
    discrepancies: list[HandoverLine] = field(default_factory=list)
    people: dict[int, User] = field(default_factory=dict)


def _newest_handover():
    """The id of a room's last finished handover, as a subquery correlated with Room."""
    other = aliased(Handover)
    return (select(other.id).where(other.room_id == Room.id, other.state.in_(("locked", "amended")))
            .order_by(other.counted_at.desc(), other.id.desc()).limit(1).correlate(Room).scalar_subquery())


def discrepant_rooms(session: Session, project_ids: list[int]) -> dict[int, int]:
    """{project id: rooms whose last handover found something missing or damaged}, for those of the projects
    that have sample rooms, with two queries whatever their number."""
    if not project_ids:
        return {}
    rooms = session.exec(select(Room.project_id, _newest_handover()).where(among(Room.project_id, project_ids))).all()
    out, last = {project_id: 0 for project_id, _ in rooms}, {h: project_id for project_id, h in rooms if h}
    if last:
        for handover_id in session.exec(select(HandoverLine.handover_id).distinct().where(
                HandoverLine.handover_id.in_(list(last)), HandoverLine.status != "present")):
            out[last[handover_id]] += 1
    return out


def discrepant_handovers(session: Session, project_ids: list[int], *, listed: int | None = None) -> list[tuple]:
    """The rooms of many projects whose last handover found something missing, damaged or moved, with that
    handover and its lines not found as listed — rows of the columns a needs-attention line shows (room: id,
    project_id, name; handover: id, counted_at, discrepancies, incoming_id; lines: name, status), read for many
    projects, so not whole objects: two queries whatever the number of projects. The lines are read for the
    projects with at most `listed` such rooms (any, when None): the others' rooms are shown folded."""
    if not project_ids:
        return []
    rooms = Bundle("room", Room.id, Room.project_id, Room.name)
    handovers = Bundle("handover", Handover.id, Handover.counted_at, Handover.discrepancies, Handover.incoming_id)
    rows = session.exec(select(rooms, handovers).join(Handover, Handover.id == _newest_handover())
                        .where(among(Room.project_id, project_ids), Handover.discrepancies > 0)
                        .order_by(Handover.counted_at, Room.id)).all()
    lines: dict[int, list] = {}
    per_project = Counter(room.project_id for room, _h in rows)
    alone = [h.id for room, h in rows if listed is None or per_project[room.project_id] <= listed]
    if alone:
        for line in session.exec(select(HandoverLine.handover_id, HandoverLine.name, HandoverLine.status)
                                 .where(HandoverLine.handover_id.in_(alone),
                                        HandoverLine.status != "present")
                                 .order_by(HandoverLine.position)).all():
            lines.setdefault(line.handover_id, []).append(line)
    return [(room, handover, lines.get(handover.id, [])) for room, handover in rows]


def counted_between(session: Session, project_ids: list[int], start: datetime, end: datetime) -> dict[int, int]:
    """{project id: handovers finished with a count in [start, end)}, with one grouped query."""
    return count_by(session, Handover.project_id, project_ids, Handover.counted_at >= start, Handover.counted_at < end,
                    Handover.state.in_(("locked", "amended")))


def rooms_status(session: Session, *, project: Project) -> dict:
    """The context of templates/handovers/_rooms_status.html: each room's last handover and its discrepancies."""
    rooms = rooms_of(session, project)
    # A fixed number of queries whatever the number of rooms.
    newest = _newest_handover()
    last = {h.room_id: h for h in session.exec(select(Handover).join(Room, Handover.id == newest)
                                               .where(Room.project_id == project.id)).all()}
    discrepant: dict[int, list[HandoverLine]] = {}
    if last:
        for line in session.exec(select(HandoverLine).where(HandoverLine.handover_id.in_([h.id for h in last.values()]),
                                                            HandoverLine.status != "present")
                                 .order_by(HandoverLine.position)).all():
            discrepant.setdefault(line.handover_id, []).append(line)
    rows = [RoomStatus(room=room, handover=last.get(room.id),
                       discrepancies=discrepant.get(last[room.id].id, []) if room.id in last else [])
            for room in rooms]
    people = users_by_id(session, [i for r in rows if r.handover
                                   for i in (r.handover.outgoing_id, r.handover.incoming_id)])
    return {"project": project, "room_rows": rows, "people": people,
            "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()}}


def history(session: Session, room: Room, limit: int = 50) -> dict:
    """A room's handovers (newest first) with their amendments, and its opening/closing checks."""
    handovers = session.exec(select(Handover).where(Handover.room_id == room.id)
                             .order_by(Handover.counted_at.desc(), Handover.id.desc()).limit(limit)).all()
    ids = [h.id for h in handovers]
    amendments: dict[int, list[Amendment]] = {}
    for amendment in session.exec(select(Amendment).where(Amendment.handover_id.in_(ids))
                                  .order_by(Amendment.number)).all() if ids else []:
        amendments.setdefault(amendment.handover_id, []).append(amendment)
    discrepancies: dict[int, list[HandoverLine]] = {}
    for line in session.exec(select(HandoverLine).where(HandoverLine.handover_id.in_(ids),
                                                        HandoverLine.status != "present")
                             .order_by(HandoverLine.position)).all() if ids else []:
        discrepancies.setdefault(line.handover_id, []).append(line)
    checks = session.exec(select(RoomCheck).where(RoomCheck.room_id == room.id)
                          .order_by(RoomCheck.done_at.desc()).limit(limit)).all()
    user_ids = {i for h in handovers for i in (h.outgoing_id, h.incoming_id)} | {c.done_by for c in checks} \
        | {c.key_guard_id for c in checks} | {a.actor_id for rows in amendments.values() for a in rows}
    people = users_by_id(session, user_ids)
    return {"handovers": handovers, "amendments": amendments, "discrepancies": discrepancies, "checks": checks,
            "people": people}


def discrepancy_rows(session: Session, project: Project, since: datetime | None = None, until: datetime | None = None,
                     *, every_line: bool = False):
    """Every line not found as listed (with `every_line`, every line) of the locked handovers counted in
    [since, until), with its handover and room, oldest first (for the exports and the supervisor's digest)."""
    stmt = (select(HandoverLine, Handover, Room).join(Handover, Handover.id == HandoverLine.handover_id)
            .join(Room, Room.id == Handover.room_id)
            .where(Handover.project_id == project.id, Handover.state.in_(("locked", "amended"))))
    if not every_line:
        stmt = stmt.where(HandoverLine.status != "present")
    if since is not None:
        stmt = stmt.where(Handover.counted_at >= since)
    if until is not None:
        stmt = stmt.where(Handover.counted_at < until)
    return session.exec(stmt.order_by(Handover.counted_at, HandoverLine.position)).all()


@dataclass
class DayRecords:
    """A project's sample-room records of one day, for the daily shift report."""

    handovers: list[Handover]
    checks: list[RoomCheck]
    rooms: dict[int, Room]
    people: dict[int, User]


def day_records(session: Session, *, project: Project, start: datetime, end: datetime) -> DayRecords:
    """The handovers counted and the opening/closing checks done in [start, end), by time."""
    handovers = session.exec(select(Handover).where(Handover.project_id == project.id, Handover.counted_at >= start,
                                                    Handover.counted_at < end).order_by(Handover.counted_at)).all()
    checks = session.exec(select(RoomCheck).where(RoomCheck.project_id == project.id, RoomCheck.done_at >= start,
                                                  RoomCheck.done_at < end).order_by(RoomCheck.done_at)).all()
    rooms = {r.id: r for r in session.exec(select(Room).where(Room.project_id == project.id)).all()}
    ids = {i for h in handovers for i in (h.outgoing_id, h.incoming_id)} | {
        i for c in checks for i in (c.done_by, c.key_guard_id)}
    return DayRecords(handovers, checks, rooms, users_by_id(session, ids))
