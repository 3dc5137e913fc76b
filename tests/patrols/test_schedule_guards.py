"""A schedule takes only guards of its route's own project, as its message says."""
import pytest
from sqlmodel import select

from app.patrols.models import Schedule
from tests.html import alert

FORM = {"name": "夜班", "start": "20:00", "end": "08:00", "interval_minutes": "120"}


@pytest.mark.parametrize("who", ["outsider", "engineer", "other_admin"])
def test_a_schedule_refuses_anyone_but_a_guard_of_the_routes_project(login_as, world, db, who):
    # the outsider guards P2 of the same company; the engineer is of P1 but no guard
    route_id = world.routes["p1"].id
    response = login_as("supervisor").post_form(f"/routes/{route_id}/schedules",
                                                {**FORM, "guard_ids": [world.users[who].id]})
    assert response.status_code == 400 and alert(response) == "请选择本项目的保安。"
    assert db.exec(select(Schedule).where(Schedule.route_id == route_id, Schedule.name == "夜班")).all() == []


def test_a_guard_of_the_project_is_taken(login_as, world, db):
    route_id = world.routes["p1"].id
    response = login_as("supervisor").post_form(f"/routes/{route_id}/schedules",
                                                {**FORM, "guard_ids": [world.users["guard"].id]})
    assert response.status_code == 302
