"""Receiving and working a complaint: 首问负责制, the refusals, repeats, the repair it opens, the pages, offline notes."""
import io
import json
import uuid
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from app.complaints import services
from app.complaints.models import Complaint, ComplaintNote
from app.core.db import get_session, utcnow
from app.core.photos import Photo
from app.projects.models import Project
from app.repairs.models import Ticket
from tests import images
from tests.complaints.helpers import SHANGHAI, complaint, departments, handler, security
from tests.factories import engine_of
from tests.html import alert, soup

TZ = "Asia/Shanghai"


@pytest.fixture
def people(world, db):
    world.users["handler"] = handler(db, world)
    return world.users


def _act(app, people, complaint_id, who, action, **fields):
    """(status, None) or (None, (http status, message)); the session commits only what was allowed."""
    with app.app_context():
        session = get_session()
        mine = session.get(Complaint, complaint_id)
        try:
            services.act(session, storage=app.extensions["storage"], actor=session.get(type(people[who]), people[who].id),
                         complaint=mine, action=action, now=fields.pop("now", utcnow()), tz=TZ, **fields)
            session.commit()
            return mine.status, None
        except services.ComplaintError as exc:
            session.rollback()
            return None, (exc.status, exc.message)


def _open(app, people, who="frontdesk", **data):
    with app.app_context():
        session = get_session()
        p1 = session.exec(select(Project).where(Project.name == "江城壹号销售中心")).one()
        made = services.open_complaint(session, storage=app.extensions["storage"],
                                       actor=session.get(type(people[who]), people[who].id), project=p1,
                                       data={"description": "岗亭夜里很吵", "complainant_phone": "13800138000",
                                             "complainant_name": "李先生", "unit_label": "5栋1单元302",
                                             "category": "噪音", **data},
                                       received_at=data.pop("received_at", utcnow()), tz=TZ)
        session.commit()
        return made.id


def test_the_receiver_stays_the_owner_through_reassignment_until_it_closes(app, world, db, people):
    complaint_id = _open(app, people)
    department = security(db, world.p1)
    cleaning = departments(db, world.p1)["cleaning"]
    from app.complaints.models import DepartmentMember

    db.add(DepartmentMember(department_id=cleaning.id, user_id=people["attendant"].id))
    db.commit()
    steps = [("supervisor", "assign", {"department_id": department.id}), ("handler", "note", {"text": "已到岗亭"}),
             ("supervisor", "assign", {"department_id": cleaning.id}), ("attendant", "reply", {"text": "已调整"}),
             ("frontdesk", "callback", {"satisfaction": 5}), ("supervisor", "close", {})]
    for who, action, fields in steps:
        status, refused = _act(app, people, complaint_id, who, action, **fields)
        assert refused is None, (who, action, refused)
        db.expire_all()
        saved = db.get(Complaint, complaint_id)
        assert saved.owner_id == people["frontdesk"].id, (who, action)
    assert (saved.status, saved.department_id, saved.handler_id) == ("closed", cleaning.id, people["attendant"].id)
    # transferred to another department: three days from receipt, not the desk's same day
    assert saved.resolve_due_at == saved.received_at + timedelta(days=3)


def test_a_department_without_users_is_refused_and_nothing_is_saved(app, world, db, people):
    complaint_id = _open(app, people)
    greening = departments(db, world.p1)["greening"]
    status, (code, message) = _act(app, people, complaint_id, "supervisor", "assign", department_id=greening.id)
    assert (status, code) == (None, 422)
    assert message == "“绿化部”还没有负责人,请先在部门设置中添加。"
    db.expire_all()
    assert (db.get(Complaint, complaint_id).status, db.get(Complaint, complaint_id).department_id) == ("received", None)
    assert [n.kind for n in db.exec(select(ComplaintNote).where(ComplaintNote.complaint_id == complaint_id))] == [
        "received"]


def test_closing_without_a_reply_is_refused_with_the_reason(app, world, db, people):
    made = complaint(db, world.p1, status="processing", owner=people["frontdesk"], department=security(db, world.p1))
    assert _act(app, people, made.id, "supervisor", "close") == (None, (409, "尚未记录对投诉人的答复,不能关闭。"))


@pytest.mark.parametrize("score", [0, 6, "很好", None])
def test_a_callback_satisfaction_must_be_one_to_five(app, world, db, people, score):
    made = complaint(db, world.p1, status="replied", owner=people["frontdesk"], department=security(db, world.p1))
    status, (code, message) = _act(app, people, made.id, "frontdesk", "callback", satisfaction=score)
    assert (status, code) == (None, 422)
    assert message in ("满意度须在 1 到 5 之间。", "满意度须为整数。")
    db.expire_all()
    assert db.get(Complaint, made.id).status == "replied"


def test_an_unsatisfied_callback_sends_it_back_and_a_callback_that_reaches_nobody_waits(app, world, db, people):
    made = complaint(db, world.p1, status="replied", owner=people["frontdesk"], department=security(db, world.p1))
    now = utcnow()
    assert _act(app, people, made.id, "frontdesk", "callback", reached=False, now=now) == ("replied", None)
    db.expire_all()
    assert db.get(Complaint, made.id).callback_due_at == now + timedelta(hours=services.RETRY_HOURS)
    assert _act(app, people, made.id, "frontdesk", "callback", satisfaction=2, text="还是吵") == ("processing", None)
    db.expire_all()
    saved = db.get(Complaint, made.id)
    assert (saved.reprocess_count, saved.replied_at, saved.satisfaction) == (1, None, 2)
    assert saved.first_replied_at is not None  # the first reply still counts for its deadline


def test_two_people_deciding_at_once_the_second_sees_the_first(app, world, db, people):
    """Both load the complaint as replied; the first closes it; the second's check re-reads under the lock."""
    made = complaint(db, world.p1, status="replied", owner=people["frontdesk"], department=security(db, world.p1))
    engine = engine_of(app)
    with app.app_context(), Session(engine, expire_on_commit=False) as first:
        second = get_session()
        stale = second.get(Complaint, made.id)
        assert stale.status == "replied"
        services.act(first, storage=None, actor=first.get(type(people["supervisor"]), people["supervisor"].id),
                     complaint=first.get(Complaint, made.id), action="close", now=utcnow(), tz=TZ)
        first.commit()
        with pytest.raises(services.ComplaintError) as refused:
            services.act(second, storage=None, actor=second.get(type(people["frontdesk"]), people["frontdesk"].id),
                         complaint=stale, action="callback", now=utcnow(), tz=TZ, satisfaction=5)
        second.rollback()
    assert refused.value.status == 409 and "已关闭" in refused.value.message
    db.expire_all()
    assert db.exec(select(ComplaintNote).where(ComplaintNote.complaint_id == made.id)).all()[0].kind == "close"


def test_a_repeat_about_the_same_unit_and_category_within_the_window_is_marked(app, world, db, people):
    now = utcnow()
    first = _open(app, people, received_at=now - timedelta(days=41))
    second = _open(app, people, received_at=now - timedelta(days=10))
    third = _open(app, people, received_at=now)
    other = _open(app, people, received_at=now, category="环境卫生")
    db.expire_all()
    assert [db.get(Complaint, i).repeat_of_id for i in (first, second, third, other)] == [None, None, second, None]


def test_a_complaint_opens_one_linked_repair_ticket(app, world, db, people):
    complaint_id = _open(app, people)
    with app.app_context():
        session = get_session()
        actor = session.get(type(people["frontdesk"]), people["frontdesk"].id)
        ticket_id = services.open_repair(session, storage=app.extensions["storage"], actor=actor,
                                         complaint=session.get(Complaint, complaint_id), now=utcnow())
        session.commit()
        with pytest.raises(services.ComplaintError) as again:
            services.open_repair(session, storage=None, actor=actor, complaint=session.get(Complaint, complaint_id),
                                 now=utcnow())
    assert again.value.status == 409
    ticket = db.get(Ticket, ticket_id)
    assert (ticket.status, ticket.reporter_phone, ticket.location) == ("reported", "13800138000", "5栋1单元302")
    assert db.get(Complaint, complaint_id).ticket_id == ticket_id


def test_a_complaint_needs_a_phone_to_call_back(app, world, db, people):
    with pytest.raises(services.ComplaintError) as refused:
        _open(app, people, complainant_phone="")
    assert refused.value.fields == {"complainant_phone": "请填写投诉人的联系电话,回访要用。"}
    assert db.exec(select(Complaint)).all() == []


def test_the_pages_let_the_desk_and_the_department_in_and_keep_others_out(app, world, db, people, login_as):
    made = complaint(db, world.p1, status="assigned", owner=people["frontdesk"], department=security(db, world.p1))
    url = f"/complaints/{made.id}"
    assert login_as("frontdesk").get(url).status_code == 200
    handler_client = app.test_client()
    handler_client.login("guard_lead")
    page = handler_client.get(url)
    assert page.status_code == 200
    assert soup(page).select_one("[data-owner]").get_text(strip=True) == people["frontdesk"].display_name
    assert login_as("guard").get(url).status_code == 403
    assert login_as("outsider").get(url).status_code == 404


def test_a_refused_action_re_renders_the_page_with_the_message(app, world, db, people, login_as):
    made = complaint(db, world.p1, status="received", owner=people["frontdesk"])
    greening = departments(db, world.p1)["greening"]
    response = login_as("frontdesk").post_form(f"/complaints/{made.id}/act",
                                               {"action": "assign", "department_id": greening.id})
    assert response.status_code == 422
    assert alert(response) == "“绿化部”还没有负责人,请先在部门设置中添加。"


def test_a_complaint_received_at_the_desk_form(app, world, db, people, login_as):
    response = login_as("frontdesk").post_form(f"/projects/{world.p1.id}/complaints/new", {
        "complainant_name": "王女士", "complainant_phone": "13900001111", "unit_label": "3栋2单元1201",
        "channel": "visit", "category": "噪音", "description": "夜间岗亭对讲机声音太大"})
    saved = db.exec(select(Complaint)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/complaints/{saved.id}"
    assert (saved.owner_id, saved.channel, saved.status) == (people["frontdesk"].id, "visit", "received")
    # still with the desk: handled the same local day
    local_day = saved.received_at.astimezone(SHANGHAI).date()
    assert saved.resolve_due_at == datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def test_a_processing_note_with_a_photo_comes_through_the_outbox(app, world, db, people):
    made = complaint(db, world.p1, status="assigned", owner=people["frontdesk"], department=security(db, world.p1))
    client = app.test_client()
    client.login("guard_lead")
    envelope = {"kind": "complaint_note", "project_id": world.p1.id,
                "client_time": (utcnow() - timedelta(minutes=20)).isoformat(),
                "data": {"complaint_id": str(made.id), "action": "on_site", "text": "到岗亭核实,已调低对讲机音量"}}
    response = client.post(f"/api/v1/records/{uuid.uuid4()}", content_type="multipart/form-data",
                           data={"record": json.dumps(envelope), "photos": [(io.BytesIO(images.image()), "a.jpg")]},
                           headers={"X-CSRFToken": client.get("/api/v1/session").json["csrf_token"]})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    db.expire_all()
    note = db.exec(select(ComplaintNote).where(ComplaintNote.kind == "on_site")).one()
    assert note.at < utcnow() - timedelta(minutes=19)  # the phone's time
    assert db.get(Complaint, made.id).status == "processing"
    assert len(db.exec(select(Photo).where(Photo.owner_type == "complaint_note", Photo.owner_id == note.id)).all()) == 1



def test_a_department_user_finds_the_complaint_on_the_home_screen(app, world, db, people):
    made = complaint(db, world.p1, status="assigned", owner=people["frontdesk"], department=security(db, world.p1))
    client = app.test_client()
    client.login("guard_lead")
    links = [a["href"] for a in soup(client.get("/")).select("a")]
    assert f"/complaints/{made.id}" in links


def test_a_department_user_keeps_the_complaints_page_for_the_estate(app, world, db, people):
    made = complaint(db, world.p1, status="processing", owner=people["frontdesk"], department=security(db, world.p1))
    client = app.test_client()
    client.login("guard_lead")
    assert f"/complaints/{made.id}" in client.get("/api/v1/offline-pages").json["pages"]


def test_a_complaint_whose_owner_left_can_still_be_worked(app, world, db, people):
    """The owner's account gone (SET NULL): replying and closing tell nobody, and still work."""
    made = complaint(db, world.p1, status="assigned", owner=None, department=security(db, world.p1))
    assert _act(app, people, made.id, "handler", "reply", text="已处理") == ("replied", None)
    assert _act(app, people, made.id, "supervisor", "close") == ("closed", None)
