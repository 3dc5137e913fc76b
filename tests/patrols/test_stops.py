"""Taking a checkpoint off a route: the route page without it, for supervisors only."""
from sqlmodel import select

from app.patrols import services
from app.patrols.models import RouteStop
from tests import factories
from tests.html import text


def _two_stops(db, world):
    route, admin = world.routes["p1"], world.users["admin"]
    extra = factories.checkpoint(db, world.areas["p1"], "消防通道")
    services.add_stop(db, actor=db.get(type(admin), admin.id), route=route, checkpoint_id=extra.id)
    return route, db.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.position)).all()


def test_a_supervisor_removes_a_stop_plain_or_in_place(world, db, login_as):
    route, (first, second) = _two_stops(db, world)
    client = login_as("supervisor")
    response = client.post_form(f"/route-stops/{second.id}/delete", htmx=True)
    assert response.status_code == 200
    assert [t.split(" ")[0] for t in text(response, "#route-stops ol > li strong")] == [world.checkpoints["p1"].name]
    response = client.post_form(f"/route-stops/{first.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == f"/routes/{route.id}"
    db.expire_all()
    assert db.exec(select(RouteStop).where(RouteStop.route_id == route.id)).all() == []


def test_only_a_supervisor_of_the_project_removes_a_stop(world, db, login_as):
    stop = world.stops["p1"]
    assert login_as("guard").post_form(f"/route-stops/{stop.id}/delete").status_code == 403
    assert login_as("outsider").post_form(f"/route-stops/{stop.id}/delete").status_code == 404
    assert login_as("supervisor").post_form("/route-stops/99999999/delete").status_code == 404
    db.expire_all()
    assert db.get(RouteStop, stop.id) is not None
