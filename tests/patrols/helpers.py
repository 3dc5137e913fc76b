"""Patrol test helpers: the night checklist, the night of the tests, and a route with its schedule on P1."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.checklists.services import save_template
from app.patrols import services
from app.patrols.jobs import generate_rounds
from app.patrols.models import Round, Route, Schedule
from tests import factories

NIGHT_CHECK = {
    "key": "test-night", "name": "测试夜巡检查", "purpose": "patrol",
    "sections": [{"title": "消防", "items": [
        {"key": "extinguisher", "label": "灭火器齐全", "type": "pass_fail", "photo_when_failed": True,
         "creates_ticket": True},
        {"key": "temp", "label": "配电房温度", "type": "number", "unit": "℃", "min": 0, "max": 40},
        {"key": "remark", "label": "其他情况", "type": "text", "required": False},
    ]}],
}
# 22:00 in Shanghai, two nights ago: in the past whatever the real clock says, as records must be.
NIGHT_DAY = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=2)
NIGHT = datetime.combine(NIGHT_DAY, time(22), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)


@dataclass
class Patrol:
    route: Route
    schedule: Schedule
    checkpoints: list
    round: Round
    template_id: int


def night_route(session, world, checkpoints, *, role: str = "guard", route_name: str = "夜间巡逻", **schedule
                ) -> tuple[Route, Schedule, int]:
    """A route through `checkpoints` walked by `role`, the first with the night checklist, and a schedule
    (save_schedule's fields)."""
    admin = session.get(type(world.users["admin"]), world.users["admin"].id)
    version = save_template(session, actor=admin, organisation_id=world.org_a.id, definition=NIGHT_CHECK)
    route = services.save_route(session, actor=admin, project=session.get(type(world.p1), world.p1.id),
                                name=route_name, role=role)
    for index, checkpoint in enumerate(checkpoints):
        services.add_stop(session, actor=admin, route=route, checkpoint_id=checkpoint.id,
                          template_id=version.template_id if index == 0 else None)
    return route, services.save_schedule(session, actor=admin, route=route, **schedule), version.template_id


def clock_rounds(session, schedule: Schedule, *, now: datetime, config) -> None:
    """The rounds the clock has made by `now` of a schedule made at noon the day before (local): the night before,
    tonight and tomorrow night, as the demo back-dates its schedules."""
    tz = ZoneInfo(config["TIMEZONE"])
    made = datetime.combine(now.astimezone(tz).date() - timedelta(days=1), time(12), tzinfo=tz)
    session.exec(sa.update(Schedule).where(Schedule.id == schedule.id).values(changed_at=made))
    session.commit()
    generate_rounds(session, now, config)


def three_checkpoints(db, world) -> list:
    return [world.checkpoints["p1"], factories.checkpoint(db, world.areas["p1"], "消防通道"),
            factories.checkpoint(db, world.areas["p1"], "配电房")]
