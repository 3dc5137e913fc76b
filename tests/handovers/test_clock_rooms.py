"""A sample room not opened by the first shift's start (08:00 + 15 min) is told to the supervisors once that day."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from app.core.clock import run_due
from app.core.notifications import Notification, text_of
from app.handovers.models import Room, RoomCheck

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOMORROW = datetime.now(SHANGHAI).date() + timedelta(days=1)  # the world's rooms exist before its 08:00


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(TOMORROW, time(hour, minute), tzinfo=SHANGHAI).astimezone(timezone.utc)


def unchecked(db, room_id) -> list[Notification]:
    db.expire_all()
    return [n for n in db.exec(select(Notification).where(Notification.event == "handovers.unchecked")).all()
            if n.link["args"]["room_id"] == room_id]


def tick(app, moment):
    run_due(app, moment, names=["handovers.rooms"], force=True)


def test_a_room_not_opened_by_the_first_shift_tells_the_supervisors_once(app, world, db):
    room = world.rooms["p1"]
    tick(app, at(8, 10))
    assert unchecked(db, room.id) == []
    tick(app, at(8, 16))
    tick(app, at(9))
    notices = unchecked(db, room.id)
    assert [(n.user_id, n.params["kind"]) for n in notices] == [(world.users["supervisor"].id, "opening")]
    with app.test_request_context():
        assert "未开场检查" in text_of(notices[0]) and "08:00" in text_of(notices[0])


def test_an_opened_room_is_not_told(app, world, db):
    room = db.get(Room, world.rooms["p1"].id)
    db.add(RoomCheck(project_id=room.project_id, room_id=room.id, kind="opening", done_at=at(7, 50)))
    db.commit()
    tick(app, at(9))
    assert unchecked(db, room.id) == []


def test_a_room_not_closed_after_the_last_shift_is_told(app, world, db):
    room = db.get(Room, world.rooms["p1"].id)
    db.exec(sa.delete(RoomCheck).where(RoomCheck.room_id == room.id))
    db.add(RoomCheck(project_id=room.project_id, room_id=room.id, kind="opening", done_at=at(7, 50)))
    db.commit()
    tick(app, at(17, 20))
    assert [n.params["kind"] for n in unchecked(db, room.id)] == ["closing"]
