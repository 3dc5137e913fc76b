"""A patrol set-up on P1: a route of three checkpoints, the first with a checklist, a night schedule."""
import pytest

from app.core.db import get_session
from app.patrols import services
from app.patrols.models import Round
from tests.patrols.helpers import NIGHT, NIGHT_DAY, Patrol, clock_rounds, night_route, three_checkpoints


@pytest.fixture
def patrol(app, world, db) -> Patrol:
    checkpoints = three_checkpoints(db, world)
    with app.app_context():
        session = get_session()
        route, schedule, template_id = night_route(session, world, checkpoints, name="夜班", start="20:00",
                                                   end="08:00", interval_minutes=120)
        project = session.get(type(world.p1), world.p1.id)
        clock_rounds(session, schedule, now=NIGHT, config=app.config)
        round_ = session.exec(services.rounds_stmt(project, NIGHT_DAY).where(Round.slot_start == NIGHT)).one()
        return Patrol(route=route, schedule=schedule, checkpoints=checkpoints, round=round_, template_id=template_id)
