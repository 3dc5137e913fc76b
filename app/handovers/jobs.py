"""The handovers clock: a sample room not opened by the first shift's start, or not closed by the last shift's end
(plus a grace), is told to the supervisors once that day."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.core.clock import job, once
from app.core.notifications import event, link, notify
from app.handovers.models import Room, RoomCheck
from app.projects.services import get_project
from app.shifts.services import opening_hours, patterns_of

GRACE = timedelta(minutes=15)
UNCHECKED = event("handovers.unchecked", lambda p: _("%(room)s 到 %(time)s 仍未开场检查", **p) if p["kind"] == "opening"
                  else _("%(room)s 到 %(time)s 仍未收场检查", **p))


def _deadlines(session: Session, project_id: int, day, zone: ZoneInfo) -> dict[str, datetime]:
    """When today's opening check is due (first shift's start) and the closing one (last shift's end)."""
    patterns = patterns_of(session, get_project(session, project_id), active_only=True)
    if not patterns:
        return {}
    opening = datetime.combine(day, min(p.start for p in patterns), tzinfo=zone)
    closing = datetime.combine(day, max(p.end for p in patterns), tzinfo=zone)
    return {"opening": opening + GRACE, "closing": closing + GRACE}


def unchecked_rooms(session: Session, project_ids: list[int], now: datetime, tz: str) -> list[tuple]:
    """The rooms of many projects (rows: id, project_id, name) whose opening or closing check of today is past its
    time and not done, with the kind and the time it was due (the alert's rule), in three queries whatever the
    number of projects."""
    hours = opening_hours(session, project_ids)
    if not hours:
        return []
    zone = ZoneInfo(tz)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    rooms = session.exec(select(Room.id, Room.project_id, Room.name, Room.created_at)
                         .where(Room.project_id.in_(list(hours))).order_by(Room.project_id, Room.id)).all()
    done = set(session.exec(select(RoomCheck.room_id, RoomCheck.kind).where(
        RoomCheck.project_id.in_(list(hours)), RoomCheck.done_at >= start)).all()) if rooms else set()
    out = []
    for room in rooms:
        first, last = hours[room.project_id]
        for kind, at in (("opening", first), ("closing", last)):
            due = datetime.combine(day, at, tzinfo=zone) + GRACE
            if due <= now and room.created_at <= due and (room.id, kind) not in done:
                out.append((room, kind, due - GRACE))
    return out


def alert_unchecked_rooms(session: Session, now: datetime, config) -> int:
    """Today's opening / closing check of each room not done by its time: the supervisors hear of it once."""
    zone = ZoneInfo(config["TIMEZONE"])
    day = now.astimezone(zone).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    rooms = session.exec(select(Room).order_by(Room.project_id, Room.id)).all()
    done = set(session.exec(select(RoomCheck.room_id, RoomCheck.kind).where(RoomCheck.done_at >= start)).all())
    deadlines, alerted = {}, 0
    for room in rooms:
        if room.project_id not in deadlines:
            deadlines[room.project_id] = _deadlines(session, room.project_id, day, zone)
        for kind, due in deadlines[room.project_id].items():
            if now < due or room.created_at > due or (room.id, kind) in done:
                continue
            if once(session, f"handovers.unchecked-{kind}:{room.id}:{day}", now):
                notify(session, user_ids=member_ids(session, room.project_id, ("supervisor",)), event=UNCHECKED,
                       params={"room": room.name, "kind": kind, "time": f"{due - GRACE:%H:%M}"},
                       link=link("handovers.room", room_id=room.id), project_id=room.project_id,
                       key=f"unchecked-{kind}:{room.id}:{day}")
                alerted += 1
        session.commit()
    return alerted


job("handovers.rooms", every=timedelta(minutes=1), run=alert_unchecked_rooms)
