"""A complaint taken at the desk's intake form becomes a complaint record, its receiver the owner."""
from sqlmodel import select

from app.complaints.models import Complaint
from app.frontdesk.models import Intake
from tests.frontdesk import helpers
from tests.html import alert


def test_a_complaint_intake_opens_a_complaint_with_the_caller_and_unit(world, db, login_as):
    unit = helpers.unit(db, world.p1, "5栋1单元302", owners=(("李先生", "13700001111"),))
    response = login_as("frontdesk").post_form(f"/projects/{world.p1.id}/frontdesk/intake", {
        "channel": "phone", "category": "complaint", "unit_id": unit.id, "caller_name": "李先生",
        "caller_phone": "13700001111", "description": "夜里岗亭对讲机很吵", "complaint_category": "噪音"})
    assert response.status_code == 302, alert(response)
    intake = db.exec(select(Intake)).one()
    complaint = db.exec(select(Complaint)).one()
    assert (complaint.intake_id, complaint.unit_id, complaint.unit_label) == (intake.id, unit.id, unit.label)
    assert (complaint.owner_id, complaint.channel, complaint.category, complaint.status) == (
        world.users["frontdesk"].id, "phone", "噪音", "received")
    assert (complaint.complainant_name, complaint.complainant_phone) == ("李先生", "13700001111")
    assert intake.status == "closed"


def test_a_complaint_intake_without_a_phone_is_refused_whole(world, db, login_as):
    response = login_as("frontdesk").post_form(f"/projects/{world.p1.id}/frontdesk/intake", {
        "channel": "visit", "category": "complaint", "caller_name": "张先生", "description": "电梯里有烟味"})
    assert response.status_code == 422
    assert alert(response)
    assert db.exec(select(Intake)).all() == [] and db.exec(select(Complaint)).all() == []
