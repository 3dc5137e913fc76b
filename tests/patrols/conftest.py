"""A patrol set-up on P1: a route of three checkpoints, the first with a checklist, a night schedule."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.checklists.services import save_template
from app.core.db import get_session
from app.patrols import services
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


def night_route(session, world, checkpoints, **schedule) -> tuple[Route, Schedule, int]:
    """A route through `checkpoints`, the first with the night checklist, and a schedule (save_schedule's fields)."""
    admin = session.get(type(world.users["admin"]), world.users["admin"].id)
    version = save_template(session, actor=admin, organisation_id=world.org_a.id, definition=NIGHT_CHECK)
    route = services.save_route(session, actor=admin, project=session.get(type(world.p1), world.p1.id), name="夜间巡逻")
    for index, checkpoint in enumerate(checkpoints):
        services.add_stop(session, actor=admin, route=route, checkpoint_id=checkpoint.id,
                          template_id=version.template_id if index == 0 else None)
    return route, services.save_schedule(session, actor=admin, route=route, **schedule), version.template_id


def three_checkpoints(db, world) -> list:
    return [world.checkpoints["p1"], factories.checkpoint(db, world.areas["p1"], "消防通道"),
            factories.checkpoint(db, world.areas["p1"], "配电房")]


@pytest.fixture
def patrol(app, world, db) -> Patrol:
    checkpoints = three_checkpoints(db, world)
    with app.app_context():
        session = get_session()
        route, schedule, template_id = night_route(session, world, checkpoints, name="夜班", start="20:00",
                                                   end="08:00", interval_minutes=120)
        project = session.get(type(world.p1), world.p1.id)
        services.ensure_rounds(session, project=project, now=NIGHT)
        round_ = session.exec(services.rounds_stmt(project, NIGHT_DAY).where(Round.slot_start == NIGHT)).one()
        return Patrol(route=route, schedule=schedule, checkpoints=checkpoints, round=round_, template_id=template_id)
