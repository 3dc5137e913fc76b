"""Supervisors set up routes and schedules; bad values get clear messages."""
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from app.core.clock import run_due
from app.patrols.models import Round, Route, RouteStop, Schedule
from tests import factories
from tests.html import alert, soup, text


def _new_route(client, world, name="夜间安全巡逻"):
    response = client.post_form(f"/projects/{world.p1.id}/routes", {"name": name})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_supervisor_builds_a_route_in_order(login_as, world, db):
    client = login_as("supervisor")
    route_id = _new_route(client, world)
    second = factories.checkpoint(db, world.areas["p1"], "消防通道")
    for checkpoint in (world.checkpoints["p1"], second):
        response = client.post_form(f"/routes/{route_id}/stops", {"checkpoint_id": checkpoint.id}, htmx=True)
        assert soup(response).select_one("section")["id"] == "route-stops"
    stops = db.exec(select(RouteStop).where(RouteStop.route_id == route_id).order_by(RouteStop.position)).all()
    assert [s.checkpoint_id for s in stops] == [world.checkpoints["p1"].id, second.id]
    response = client.post_form(f"/route-stops/{stops[1].id}/move", {"direction": "up"}, htmx=True)
    assert [t.split(" ")[0] for t in text(response, "#route-stops ol > li strong")] == ["消防通道", world.checkpoints["p1"].name]


def test_another_projects_checkpoint_cannot_join_a_route(login_as, world, db):
    client = login_as("supervisor")
    route_id = _new_route(client, world)
    response = client.post_form(f"/routes/{route_id}/stops", {"checkpoint_id": world.checkpoints["p2"].id}, htmx=True)
    assert response.status_code == 400 and alert(response) == "请选择本项目的巡更点。"
    assert db.exec(select(RouteStop).where(RouteStop.route_id == route_id)).all() == []


def test_schedule_refusals_are_explained(login_as, world, db):
    client = login_as("supervisor")
    route_id = _new_route(client, world)
    cases = [
        ({"start": "25:00", "end": "08:00", "interval_minutes": "120"}, "开始时间须为 时:分,如 20:00。"),
        ({"start": "20:00", "end": "08:00", "interval_minutes": "abc"}, "间隔(分钟)须为整数。"),
        ({"start": "20:00", "end": "08:00", "interval_minutes": "30", "window_minutes": "60"},
         "可开始时长不能超过间隔,否则两轮会重叠。"),
    ]
    for form, message in cases:
        response = client.post_form(f"/routes/{route_id}/schedules", {"name": "夜班", **form})
        assert response.status_code == 400 and alert(response) == message
    assert db.exec(select(Schedule).where(Schedule.route_id == route_id)).all() == []
    response = client.post_form(f"/routes/{route_id}/schedules", {"name": "夜班", "start": "20:00", "end": "08:00",
                                                                   "interval_minutes": "120",
                                                                   "guard_ids": [world.users["guard"].id]})
    assert response.status_code == 302
    schedule = db.exec(select(Schedule).where(Schedule.route_id == route_id)).one()
    assert schedule.guard_ids == [world.users["guard"].id] and schedule.grace_minutes == 15


def test_guards_do_not_edit_routes(login_as, world):
    guard = login_as("guard")
    assert guard.get(f"/projects/{world.p1.id}/routes").status_code == 403
    assert guard.post_form(f"/projects/{world.p1.id}/routes", {"name": "x"}).status_code == 403
    assert guard.get(f"/routes/{world.routes['p1'].id}").status_code == 403


def test_an_empty_route_name_is_refused(login_as, world, db):
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/routes", {"name": " "})
    assert response.status_code == 400 and alert(response) == "请填写路线名称。"
    assert db.exec(select(Route).where(Route.name == " ")).first() is None


def test_deleting_a_schedule_stops_it_and_keeps_its_rounds(login_as, world, db):
    schedule, round_ = world.schedules["p1"], world.rounds["p1"]
    response = login_as("supervisor").post_form(f"/schedules/{schedule.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == f"/routes/{schedule.route_id}"
    db.expire_all()
    assert db.get(Schedule, schedule.id).active is False
    assert db.get(type(round_), round_.id) is not None  # rounds already generated stay


def test_only_the_projects_supervisors_delete_its_schedules(login_as, world, db):
    for who, schedule, status in (("guard", world.schedules["p1"], 403), ("outsider", world.schedules["p1"], 404),
                                  ("supervisor", world.schedules["p2"], 404)):
        assert login_as(who).post_form(f"/schedules/{schedule.id}/delete").status_code == status, who
    assert login_as("supervisor").post_form("/schedules/99999999/delete").status_code == 404
    assert login_as("supervisor").get(f"/schedules/{world.schedules['p1'].id}/delete").status_code == 405
    db.expire_all()
    assert all(s.active for s in db.exec(select(Schedule)).all())


def test_a_supervisor_changes_a_schedule_and_only_rounds_not_begun_follow_it(app, login_as, world, db):
    schedule, under_way = world.schedules["p1"], world.rounds["p1"]  # under way: its slot began just now
    later = Round(project_id=under_way.project_id, route_id=under_way.route_id, schedule_id=schedule.id,
                  slot_start=under_way.slot_start + timedelta(days=1), window_end=under_way.window_end + timedelta(days=1),
                  deadline=under_way.deadline + timedelta(days=1), closes_at=under_way.closes_at + timedelta(days=1),
                  stops=under_way.stops)
    db.add(later)
    db.commit()
    later_id = later.id
    client = login_as("supervisor")
    form = soup(client.get(f"/routes/{schedule.route_id}?edit={schedule.id}")).select_one("#schedule-form")
    assert form["action"] == f"/schedules/{schedule.id}" and form.select_one("[name=name]")["value"] == schedule.name
    assert form.select_one("[name=start]")["value"] == "08:00"
    refused = client.post_form(f"/schedules/{schedule.id}", {"name": "夜班", "start": "21:00", "end": "25:00",
                                                              "interval_minutes": "0"})
    assert refused.status_code == 400 and alert(refused) == "结束时间须为 时:分,如 20:00。"
    assert soup(refused).select_one("#schedule-form [name=start]")["value"] == "21:00"  # what was typed stays
    db.expire_all()
    assert db.get(Round, later_id) is not None and db.get(Schedule, schedule.id).name != "夜班"

    changed = client.post_form(f"/schedules/{schedule.id}", {"name": "夜班", "start": "21:00", "end": "07:00",
                                                              "interval_minutes": "0", "window_minutes": "2",
                                                              "window_unit": "hour", "grace_minutes": "10"})
    assert changed.status_code == 302
    db.expire_all()
    saved = db.get(Schedule, schedule.id)
    assert (saved.name, saved.start, saved.window_minutes, saved.grace_minutes) == ("夜班", time(21), 120, 10)
    assert db.get(Round, under_way.id) is not None  # a guard may be walking it, offline
    assert db.get(Round, later_id) is None  # not begun: made again on the new plan by the clock
    run_due(app, names=["patrols.rounds"], force=True)
    made = db.exec(select(Round).where(Round.schedule_id == schedule.id, Round.id != under_way.id)).all()
    assert made and {r.slot_start.astimezone(ZoneInfo("Asia/Shanghai")).time() for r in made} == {time(21)}
    page = soup(client.get(f"/routes/{schedule.route_id}?edit={schedule.id}"))
    assert page.select_one("#schedule-form [name=window_minutes]")["value"] == "2"
    assert page.select_one("#schedule-form [name=window_unit] option[selected]")["value"] == "hour"


def test_only_the_projects_supervisors_change_its_schedules(login_as, world, db):
    form = {"name": "改", "start": "09:00", "end": "09:00", "interval_minutes": "0"}
    for who, schedule, status in (("guard", world.schedules["p1"], 403), ("supervisor", world.schedules["p2"], 404)):
        assert login_as(who).post_form(f"/schedules/{schedule.id}", form).status_code == status, who
    db.expire_all()
    assert "改" not in {s.name for s in db.exec(select(Schedule)).all()}
