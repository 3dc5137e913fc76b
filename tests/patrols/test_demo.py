"""The demo's routines of other trades: engineer1's monthly fire check is due now, cleaner1 has a daily cleaning
check, and a renovation patrol can be started at will; seeding twice changes nothing."""
from sqlmodel import func, select

from app.accounts.models import User
from app.core.db import get_session, utcnow
from app.patrols import services
from app.patrols.jobs import generate_rounds
from app.patrols.models import Route, RouteStop, Schedule
from app.projects.models import Project


def _counts(db) -> tuple[int, int, int]:
    db.expire_all()
    return tuple(db.exec(select(func.count()).select_from(m)).one() for m in (Route, RouteStop, Schedule))


def test_the_demo_has_a_monthly_fire_check_for_the_engineer_and_a_cleaning_check_for_the_cleaner(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = _counts(db)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts(db) == first
    estate = db.exec(select(Project).where(Project.name == "滨江花园")).one()
    routes = {r.name: r for r in db.exec(select(Route).where(Route.project_id == estate.id)).all()}
    assert (routes["消防月检"].role, routes["楼道保洁检查"].role, routes["装修巡查"].role) == (
        "engineer", "cleaner", "engineer")
    assert routes["装修巡查"].on_demand and not routes["消防月检"].on_demand
    [monthly] = db.exec(select(Schedule).where(Schedule.route_id == routes["消防月检"].id)).all()
    [daily] = db.exec(select(Schedule).where(Schedule.route_id == routes["楼道保洁检查"].id)).all()
    engineer = db.exec(select(User).where(User.username == "engineer1")).one()
    cleaner = db.exec(select(User).where(User.username == "cleaner1")).one()
    assert (monthly.rhythm, monthly.guard_ids, daily.rhythm, daily.guard_ids) == (
        "monthly", [engineer.id], "daily", [cleaner.id])
    with app.app_context():
        session = get_session()
        now = utcnow()
        generate_rounds(session, now, app.config)
        views = services.my_rounds(session, user=session.get(User, engineer.id), project=estate, now=now)
        assert [(v.route.name, v.assessment.status) for v in views] == [("消防月检", "due")]
        assert [s["name"] for s in views[0].round.stops] == ["1 栋大堂", "车库 B1 消防泵房"]
