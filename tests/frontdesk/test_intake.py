"""Intake at the front desk: a repair becomes a ticket with its caller, an enquiry is answered and closed, bad
input is refused whole, the outbox delivers an intake once, and the call log counts the day by channel."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

from app.core.audit import AuditLog
from app.core.db import utcnow
from app.core.photos import Photo
from app.frontdesk.models import Intake
from app.repairs.models import Ticket
from app.sync.models import SyncRecord
from tests import images
from tests.frontdesk import helpers
from tests.html import alert, soup, text

SHANGHAI_OFFSET = timedelta(hours=8)  # the test config's TIMEZONE is Asia/Shanghai


def _tomorrow_at_ten() -> str:
    day = (datetime.now(timezone.utc) + SHANGHAI_OFFSET).date() + timedelta(days=1)
    return f"{day.isoformat()}T10:00"


@pytest.fixture
def estate(world, db):
    world.unit = helpers.unit(db, world.p1, "3栋2单元1201", owners=(("王先生", "13800138000"),))
    world.before = _totals(db)
    return world


def _totals(db):
    db.expire_all()
    return tuple(db.exec(select(func.count()).select_from(m)).one() for m in (Intake, Ticket, Photo))


def _counts(db, estate):
    """What was added since the estate was set up: intakes, tickets, photos."""
    return tuple(now - before for now, before in zip(_totals(db), estate.before, strict=True))


def _repair(estate, **changes):
    return {"channel": "phone", "category": "repair", "unit_id": str(estate.unit.id), "unit": "3栋2单元1201",
            "occupant_id": "", "caller_name": "王先生", "caller_phone": "13800138000",
            "description": "楼上漏水到卫生间天花板", "appointment": _tomorrow_at_ten(), "ticket_category": "水",
            **changes}


def test_a_phoned_in_repair_becomes_a_ticket_with_the_caller_unit_and_appointment(estate, db, login_as):
    client = login_as("frontdesk")
    response = client.post_form(f"/projects/{estate.p1.id}/frontdesk/intake", _repair(estate))
    assert response.status_code == 302
    ticket = db.exec(select(Ticket).where(Ticket.channel != "")).one()
    assert response.headers["Location"] == f"/tickets/{ticket.id}"
    assert (ticket.status, ticket.source, ticket.channel, ticket.category) == ("reported", "front_desk", "phone", "水")
    assert (ticket.reporter_name, ticket.reporter_phone, ticket.unit_id, ticket.unit_label) == (
        "王先生", "13800138000", estate.unit.id, "3栋2单元1201")
    assert ticket.appointment_at.astimezone(timezone(SHANGHAI_OFFSET)).strftime("%Y-%m-%dT%H:%M") == _tomorrow_at_ten()
    intake = db.exec(select(Intake)).one()
    assert (intake.ticket_id, intake.status, intake.received_by) == (ticket.id, "closed", estate.users["frontdesk"].id)
    page = soup(client.get(f"/tickets/{ticket.id}"))
    facts = dict(zip([dt.get_text(strip=True) for dt in page.select("dt")], [dd.get_text(" ", strip=True) for dd in page.select("dd")]))
    assert facts["房号"] == "3栋2单元1201" and facts["来源"] == "来电"
    assert facts["报修人"].startswith("王先生 13800138000")  # the caller, then who typed it in
    assert "派单" in [h.get_text() for h in page.select("h2")]  # the desk dispatches it itself


def test_the_ticket_shows_the_callers_phone_masked_to_a_guard(estate, db, login_as):
    login_as("frontdesk").post_form(f"/projects/{estate.p1.id}/frontdesk/intake", _repair(estate))
    ticket = db.exec(select(Ticket).where(Ticket.channel != "")).one()
    body = login_as("guard").get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "138****8000" in body and "13800138000" not in body


def test_choosing_an_owner_in_the_lookup_is_a_way_to_reach_them(estate, db, login_as):
    owner = db.exec(select(helpers.Occupant)).one()
    data = _repair(estate, caller_name="", caller_phone="", occupant_id=str(owner.id))
    assert login_as("frontdesk").post_form(f"/projects/{estate.p1.id}/frontdesk/intake", data).status_code == 302
    assert db.exec(select(Ticket.reporter_phone).where(Ticket.channel != "")).one() == "13800138000"


@pytest.mark.parametrize("changes, status, message, field", [
    ({"unit_id": "", "unit": "", "caller_phone": ""}, 422, "报修或需回访的登记须留联系电话(或选择业主)。", "caller_phone"),
    ({"appointment": "2020-01-01T09:00"}, 422, "预约时间已过,请选择以后的时间。", "appointment"),
    ({"unit_id": "", "unit": "9栋9单元909"}, 422,
     "房号“9栋9单元909”不在房屋档案中:请核对,或先添加这个房号。", "unit"),
    ({"description": "  "}, 422, "请填写来电内容。", "description"),
    ({"category": "闲聊"}, 422, "请选择类别(报修、投诉、咨询、建议或表扬)。", "category"),
])
def test_bad_intakes_are_refused_whole_with_the_field(estate, db, login_as, changes, status, message, field):
    response = login_as("frontdesk").post_form(f"/projects/{estate.p1.id}/frontdesk/intake", _repair(estate, **changes))
    assert response.status_code == status
    assert alert(response).startswith(message)
    assert _counts(db, estate) == (0, 0, 0)
    if field == "unit":  # offers to add the unit it did not find
        assert soup(response).select_one("p.form-error a")["href"].startswith(f"/projects/{estate.p1.id}/units/new")
    else:
        assert text(response, ".has-error .field-error") == [] or field


def test_an_enquiry_answered_on_the_spot_is_closed_at_once(estate, db, login_as):
    data = {"channel": "visit", "category": "enquiry", "caller_name": "访客", "description": "物业费在哪交",
            "answer": "一楼服务中心,或微信缴费"}
    assert login_as("frontdesk").post_form(f"/projects/{estate.p1.id}/frontdesk/intake", data).status_code == 302
    intake = db.exec(select(Intake)).one()
    assert (intake.status, intake.answer, intake.closed_at is not None, intake.ticket_id) == (
        "closed", "一楼服务中心,或微信缴费", True, None)


def test_an_unanswered_enquiry_stays_open_until_answered_from_the_log(estate, db, login_as):
    client = login_as("frontdesk")
    client.post_form(f"/projects/{estate.p1.id}/frontdesk/intake",
                     {"channel": "phone", "category": "enquiry", "description": "停车月卡多少钱", "caller_phone": "13800000001"})
    intake = db.exec(select(Intake)).one()
    assert intake.status == "open"
    log = soup(client.get(f"/projects/{estate.p1.id}/frontdesk/calls"))
    assert log.select_one(f"#intake-{intake.id} form")["action"] == f"/intakes/{intake.id}/answer"
    assert client.post_form(f"/intakes/{intake.id}/answer", {"answer": "每月 300 元"}).status_code == 302
    db.expire_all()
    assert (db.get(Intake, intake.id).status, db.get(Intake, intake.id).answer) == ("closed", "每月 300 元")
    assert db.exec(select(AuditLog.action).where(AuditLog.object_type == "intake").order_by(AuditLog.id)).all() == [
        "intake.take", "intake.answer"]


def test_a_complaint_becomes_a_complaint_record_and_a_praise_is_logged_with_its_photo(estate, db, login_as):
    client = login_as("frontdesk")
    client.post_form(f"/projects/{estate.p1.id}/frontdesk/intake",
                     {"channel": "phone", "category": "complaint", "description": "岗亭夜间噪音", "caller_phone": "13800000002"})
    client.post_form(f"/projects/{estate.p1.id}/frontdesk/intake",
                     {"channel": "wechat", "category": "praise", "description": "保洁阿姨很负责",
                      "photos": (__import__("io").BytesIO(images.image()), "p.jpg")}, content_type="multipart/form-data")
    rows = {i.category: i for i in db.exec(select(Intake))}
    assert (rows["complaint"].status, rows["praise"].status) == ("closed", "closed")  # the complaint carries on
    assert db.exec(select(Photo.owner_id).where(Photo.owner_type == "intake")).all() == [rows["praise"].id]


def test_an_intake_from_the_outbox_arrives_exactly_once(estate, db, login_as):
    client, client_id = login_as("frontdesk"), str(uuid.uuid4())
    data = _repair(estate)
    first = helpers.send(client, estate.p1.id, data, client_id=client_id, photos=[images.image()])
    again = helpers.send(client, estate.p1.id, data, client_id=client_id, photos=[images.image()])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["url"] == again.json["url"] == f"/tickets/{first.json['ticket_id']}"
    assert _counts(db, estate) == (1, 1, 1)
    assert db.exec(select(func.count()).select_from(SyncRecord).where(SyncRecord.client_id == client_id)).one() == 1
    ticket_id = first.json["ticket_id"]  # a repair's photos are the ticket's
    assert db.exec(select(Photo.owner_type).where(Photo.owner_id == ticket_id, Photo.owner_type == "ticket")).one()


def test_the_outbox_gets_the_same_refusal_and_nothing_is_kept(estate, db, login_as):
    response = helpers.send(login_as("frontdesk"), estate.p1.id, _repair(estate, appointment="2020-01-01T09:00"))
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"appointment": "预约时间已过"}
    assert _counts(db, estate) == (0, 0, 0)


@pytest.mark.parametrize("who, status", [("guard", 403), ("engineer", 403), ("supervisor", 302), ("admin", 302)])
def test_who_takes_intakes(estate, login_as, who, status):
    data = {"channel": "phone", "category": "suggestion", "description": "希望增加充电桩"}
    assert login_as(who).post_form(f"/projects/{estate.p1.id}/frontdesk/intake", data).status_code == status


def test_the_call_log_counts_the_day_by_channel_and_filters(estate, db, login_as):
    now = utcnow()
    for channel, category in (("phone", "repair"), ("phone", "enquiry"), ("visit", "praise"), ("wechat", "enquiry")):
        helpers.intake(db, estate.p1, channel=channel, category=category, received_at=now)
    helpers.intake(db, estate.p1, channel="phone", received_at=now - timedelta(days=2))
    helpers.intake(db, estate.p2, channel="phone", received_at=now)
    client = login_as("frontdesk")
    page = client.get(f"/projects/{estate.p1.id}/frontdesk/calls")
    counts = {td["data-channel"]: td.get_text() for td in soup(page).select("td[data-channel]")}
    assert counts == {"phone": "2", "visit": "1", "wechat": "1", "referral": "0"}
    assert len(soup(page).select("li.intake")) == 4
    fragment = client.get(f"/projects/{estate.p1.id}/frontdesk/calls?channel=phone&category=enquiry",
                          headers={"HX-Request": "true"})
    assert soup(fragment).select_one("#calls") and len(soup(fragment).select("li.intake")) == 1
    assert client.get(f"/projects/{estate.p1.id}/frontdesk/calls?day=昨天").status_code == 400


def test_the_desks_home_card_has_the_intake_the_days_calls_and_the_tickets_to_dispatch(estate, db, login_as):
    helpers.intake(db, estate.p1, channel="visit")
    tasks = text(login_as("frontdesk").get("/"), ".card li")
    assert any(t.startswith("来电来访登记") for t in tasks)
    assert any("来电 0 · 来访 1" in t for t in tasks)
    assert any(t.startswith("报修工单") for t in tasks)
