"""Rounds for every trade: a route names the role that walks it; anyone else is refused (service, outbox, page);
its schedule names people of that role; an on-demand route's round is started at will by one of them."""
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.core.db import get_session
from app.patrols import services
from app.patrols.models import Round, Route, Schedule, Visit
from app.sync.services import Submission
from tests.html import alert
from tests.patrols.helpers import NIGHT, NIGHT_DAY, Patrol, clock_rounds, night_route, three_checkpoints
from tests.patrols.test_visits import GOOD, _visit

REFUSED = "这条路线由工程维修巡查,您的岗位不能巡这一轮。"


@pytest.fixture
def engineering(app, world, db) -> Patrol:
    """A monthly engineering check on P1, due tonight at 22:00 for two days, open to any engineer of P1."""
    checkpoints = three_checkpoints(db, world)
    with app.app_context():
        session = get_session()
        route, schedule, template_id = night_route(
            session, world, checkpoints, role="engineer", route_name="工程月检", name="每月检查", rhythm="monthly",
            month_day=str(NIGHT_DAY.day), start="22:00", end="22:00", interval_minutes="0", window_minutes="2",
            window_unit="day")
        clock_rounds(session, schedule, now=NIGHT, config=app.config)
        round_ = session.exec(select(Round).where(Round.schedule_id == schedule.id, Round.slot_start == NIGHT)).one()
        return Patrol(route=route, schedule=schedule, checkpoints=checkpoints, round=round_, template_id=template_id)


def _submission(session, world, who: str, round_id: int, code: str) -> Submission:
    return Submission(user=session.get(User, world.users[who].id), project=session.get(type(world.p1), world.p1.id),
                      client_time=NIGHT + timedelta(minutes=5), client_id=str(uuid.uuid4()), storage=None,
                      photo_fields=[], photos=[],
                      data={"round_id": round_id, "position": 1, "code": code, "item-extinguisher": "pass",
                            "item-temp": "26"})


def test_the_service_takes_an_engineers_visit_and_refuses_a_guards(app, world, engineering):
    with app.app_context():
        session = get_session()
        code = engineering.checkpoints[0].code
        visit, tickets = services.record_visit(session, _submission(session, world, "engineer", engineering.round.id, code))
        assert visit.guard_id == world.users["engineer"].id and tickets == []
        session.rollback()
        with pytest.raises(services.PatrolError) as refused:
            services.record_visit(session, _submission(session, world, "guard", engineering.round.id, code))
        assert refused.value.status == 403 and str(refused.value) == REFUSED


def test_the_outbox_takes_the_engineer_and_refuses_the_guard_with_the_reason(login_as, world, engineering, db):
    walked = _visit(login_as("engineer"), engineering, 1, answers=GOOD)
    assert walked.status_code == 201, walked.json
    refused = _visit(login_as("guard"), engineering, 2)
    assert refused.status_code == 403 and refused.json["error"]["message"] == REFUSED
    finish = _visit(login_as("cleaner"), engineering, 1, kind="patrol_finish")
    assert finish.status_code == 403 and "工程维修" in finish.json["error"]["message"]
    db.expire_all()
    visits = db.exec(select(Visit).where(Visit.round_id == engineering.round.id)).all()
    assert [v.guard_id for v in visits] == [world.users["engineer"].id]
    assert db.get(Round, engineering.round.id).finished_at is None


def test_the_walk_page_opens_for_the_engineer_and_tells_the_guard_whose_it_is(login_as, engineering):
    url = f"/rounds/{engineering.round.id}/walk"
    assert login_as("engineer").get(url).status_code == 200
    assert login_as("engineer").get(f"/rounds/{engineering.round.id}/stops/1").status_code == 200
    refused = login_as("guard").get(url)
    assert refused.status_code == 403 and REFUSED in refused.get_data(as_text=True)
    assert login_as("guard").get(f"/rounds/{engineering.round.id}/stops/1").status_code == 403


def test_the_engineer_sees_the_round_on_his_home_and_keeps_it_offline_the_guard_does_not(login_as, engineering, app):
    from app.patrols import routes

    # the round is due "now" for the test: look at the home list as of tonight
    original = routes._now
    routes._now = lambda: NIGHT + timedelta(minutes=1)
    try:
        engineer_home = login_as("engineer").get("/").get_data(as_text=True)
        guard_home = login_as("guard").get("/").get_data(as_text=True)
    finally:
        routes._now = original
    walk = f"/rounds/{engineering.round.id}/walk"
    assert walk in engineer_home and walk not in guard_home


def test_a_schedule_of_an_engineering_route_names_engineers_only(login_as, world, engineering, db):
    supervisor = login_as("supervisor")
    form = {"name": "另一班", "start": "09:00", "end": "09:00", "interval_minutes": "0"}
    refused = supervisor.post_form(f"/routes/{engineering.route.id}/schedules",
                                   {**form, "guard_ids": [world.users["guard"].id]})
    assert refused.status_code == 400 and alert(refused) == "请选择本项目的工程维修。"
    assert db.exec(select(Schedule).where(Schedule.name == "另一班")).all() == []
    taken = supervisor.post_form(f"/routes/{engineering.route.id}/schedules",
                                 {**form, "guard_ids": [world.users["engineer"].id]})
    assert taken.status_code == 302
    assert db.exec(select(Schedule).where(Schedule.name == "另一班")).one().guard_ids == [world.users["engineer"].id]


def test_a_route_is_made_for_a_trade_and_an_unknown_one_is_refused(login_as, world, db):
    supervisor = login_as("supervisor")
    made = supervisor.post_form(f"/projects/{world.p1.id}/routes", {"name": "保洁检查", "role": "cleaner"})
    assert made.status_code == 302
    route = db.exec(select(Route).where(Route.name == "保洁检查")).one()
    assert (route.role, route.on_demand) == ("cleaner", False)
    page = supervisor.get(f"/routes/{route.id}").get_data(as_text=True)
    assert "指定保洁员" in page
    refused = supervisor.post_form(f"/projects/{world.p1.id}/routes", {"name": "乱来", "role": "inspector"})
    assert refused.status_code == 400 and alert(refused) == "请选择由谁巡查这条路线。"
    assert db.exec(select(Route).where(Route.name == "乱来")).all() == []


@pytest.fixture
def renovation(app, world, db) -> Route:
    """An on-demand renovation patrol of P1, walked by engineers."""
    with app.app_context():
        session = get_session()
        admin = session.get(User, world.users["admin"].id)
        project = session.get(type(world.p1), world.p1.id)
        route = services.save_route(session, actor=admin, project=project, name="装修巡查", role="engineer",
                                    on_demand=True)
        services.add_stop(session, actor=admin, route=route, checkpoint_id=world.checkpoints["p1"].id)
        return route


def test_an_engineer_starts_an_on_demand_round_and_walks_it(login_as, world, renovation, db):
    engineer = login_as("engineer")
    start = f"/routes/{renovation.id}/start"
    assert f'href="{start}"' in engineer.get("/").get_data(as_text=True)
    assert engineer.get(start).status_code == 200
    response = engineer.post_form(start)
    round_ = db.exec(select(Round).where(Round.route_id == renovation.id)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{round_.id}/walk")
    assert round_.schedule_id is None and round_.guard_ids == [world.users["engineer"].id]
    assert [s["checkpoint_id"] for s in round_.stops] == [world.checkpoints["p1"].id]
    assert engineer.get(f"/rounds/{round_.id}/walk").status_code == 200


def test_a_guard_may_not_start_an_engineers_on_demand_round(login_as, renovation, db):
    guard = login_as("guard")
    assert f"/routes/{renovation.id}/start" not in guard.get("/").get_data(as_text=True)
    page = guard.get(f"/routes/{renovation.id}/start")
    assert page.status_code == 403 and REFUSED in page.get_data(as_text=True)
    refused = guard.post_form(f"/routes/{renovation.id}/start")
    assert refused.status_code == 403 and REFUSED in refused.get_data(as_text=True)
    assert db.exec(select(Round).where(Round.route_id == renovation.id)).all() == []


def test_a_scheduled_route_cannot_be_started_at_will(login_as, engineering, db):
    refused = login_as("engineer").post_form(f"/routes/{engineering.route.id}/start")
    assert refused.status_code == 422 and "不能随时发起" in refused.get_data(as_text=True)
    assert db.exec(select(Round).where(Round.route_id == engineering.route.id, Round.schedule_id.is_(None))).all() == []
