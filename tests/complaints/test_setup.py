"""Supervisors edit the departments (with their responsible users) and the deadlines; the list pages render."""
from sqlmodel import select

from app.complaints.models import ComplaintSettings, Department, DepartmentMember
from tests.complaints.helpers import complaint
from tests.html import alert, soup


def test_the_six_departments_are_there_the_first_time(world, db, login_as):
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/complaints/setup")
    assert page.status_code == 200
    assert [i["value"] for i in soup(page).select("input[name=name][value]")] == [
        "工程部", "秩序维护部", "保洁部", "绿化部", "客服部", "销售部"]
    assert login_as("frontdesk").get(f"/projects/{world.p1.id}/complaints/setup").status_code == 403


def test_a_department_gets_its_responsible_users_from_the_project_only(world, db, login_as):
    client = login_as("supervisor")
    client.get(f"/projects/{world.p1.id}/complaints/setup")
    security = db.exec(select(Department).where(Department.code == "security", Department.project_id == world.p1.id)).one()
    url = f"/projects/{world.p1.id}/complaints/departments"
    refused = client.post_form(url, {"department_id": security.id, "name": "秩序维护部", "active": "1",
                                     "user_ids": [world.users["outsider"].id]})
    assert refused.status_code == 422 and alert(refused) == "负责人须是本项目的成员。"
    saved = client.post_form(url, {"department_id": security.id, "name": "安保部", "active": "1",
                                   "user_ids": [world.users["guard"].id]})
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(Department, security.id).name == "安保部"
    assert db.exec(select(DepartmentMember.user_id).where(DepartmentMember.department_id == security.id)).all() == [
        world.users["guard"].id]
    duplicate = client.post_form(url, {"name": "安保部"})
    assert duplicate.status_code == 422 and alert(duplicate) == "已有名为“安保部”的部门。"


def test_the_deadlines_are_checked_and_saved(world, db, login_as):
    client = login_as("supervisor")
    url = f"/projects/{world.p1.id}/complaints/settings"
    values = {"reply_hours": "12", "transfer_days": "2", "escalate_hours": "8", "repeat_days": "30", "callback_hours": "24"}
    refused = client.post_form(url, {**values, "transfer_days": "0"})
    assert refused.status_code == 422 and "转交部门处理时限(天)须在 1 到 30 之间。" == alert(refused)
    assert db.get(ComplaintSettings, world.p1.id) is None
    assert client.post_form(url, values).status_code == 302
    db.expire_all()
    assert (db.get(ComplaintSettings, world.p1.id).reply_hours, db.get(ComplaintSettings, world.p1.id).transfer_days) == (12, 2)


def test_the_list_shows_the_projects_complaints(world, db, login_as):
    mine = complaint(db, world.p1, status="processing")
    complaint(db, world.p2, status="processing")
    client = login_as("frontdesk")
    page = client.get(f"/projects/{world.p1.id}/complaints")
    assert [li["id"] for li in soup(page).select("#complaint-rows > li")] == [f"complaint-{mine.id}"]
    fragment = client.get(f"/projects/{world.p1.id}/complaints?show=due", headers={"HX-Request": "true"})
    assert soup(fragment).select_one("#complaint-rows") is not None
    assert client.get(f"/projects/{world.p1.id}/complaints/new").status_code == 200


def test_the_demo_departments_each_have_someone_responsible(app, db):
    from app.complaints.models import Department
    from app.projects.models import Project

    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # twice changes nothing
    estate = db.exec(select(Project).where(Project.name == "滨江花园")).one()
    security = db.exec(select(Department).where(Department.project_id == estate.id,
                                                Department.code == "security")).one()
    members = db.exec(select(DepartmentMember).where(DepartmentMember.department_id == security.id)).all()
    assert len(members) == 1
