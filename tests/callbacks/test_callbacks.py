"""One callback list for repairs and complaints: attempts counted, repairs' own callback reused, 满意率 by channel
and department, the month's plan for complainants, and the front desk's home."""
from datetime import timedelta

from sqlmodel import select

from app.callbacks import services
from app.callbacks.models import CallbackAttempt
from app.complaints.models import Complaint
from app.core.db import get_session, utcnow
from app.repairs.models import Ticket
from tests import factories
from tests.complaints.helpers import complaint, handler, security
from tests.html import alert, soup, text


def _replied(db, world):
    handler(db, world)
    return complaint(db, world.p1, status="replied", owner=world.users["frontdesk"],
                     department=security(db, world.p1), channel="visit", callback_due_at=utcnow() - timedelta(hours=1))


def _awaiting_ticket(db, world):
    ticket = db.get(Ticket, world.tickets["p1"].id)
    ticket.status, ticket.finished_at, ticket.channel = "awaiting_callback", utcnow(), "phone"
    ticket.reporter_name, ticket.reporter_phone = "赵先生", "13600000000"
    db.commit()
    return ticket


def test_the_list_holds_finished_repairs_and_replied_complaints(world, db, login_as):
    made, ticket = _replied(db, world), _awaiting_ticket(db, world)
    page = login_as("frontdesk").get(f"/projects/{world.p1.id}/callback-list")
    assert page.status_code == 200
    rows = soup(page).select("#callback-rows > li")
    assert [r["id"] for r in rows] == [f"callback-complaint-{made.id}", f"callback-ticket-{ticket.id}"]
    assert "已超时" in rows[0].get_text()


def test_a_call_that_reaches_nobody_is_counted_and_tried_later(world, db, login_as):
    made = _replied(db, world)
    client = login_as("frontdesk")
    for _ in range(2):
        response = client.post_form(f"/projects/{world.p1.id}/callback-list/record",
                                    {"subject_type": "complaint", "subject_id": made.id, "reached": "0"})
        assert response.status_code == 302
    db.expire_all()
    assert db.get(Complaint, made.id).status == "replied"
    assert db.get(Complaint, made.id).callback_due_at > utcnow() + timedelta(hours=3)
    assert text(client.get(f"/projects/{world.p1.id}/callback-list"), "#callback-rows .callback-due")[0].endswith("已尝试 2 次")


def test_a_ticket_is_called_back_through_repairs_own_action(world, db, login_as):
    ticket = _awaiting_ticket(db, world)
    response = login_as("frontdesk").post_form(f"/projects/{world.p1.id}/callback-list/record", {
        "subject_type": "ticket", "subject_id": ticket.id, "reached": "1", "satisfaction": "5", "comment": "修好了"})
    assert response.status_code == 302
    db.expire_all()
    saved = db.get(Ticket, ticket.id)
    assert (saved.status, saved.satisfaction, saved.callback_comment) == ("closed", 5, "修好了")
    attempt = db.exec(select(CallbackAttempt)).one()
    assert (attempt.subject_type, attempt.channel, attempt.department, attempt.reached) == (
        "ticket", "phone", "工程部", True)


def test_a_satisfaction_outside_one_to_five_is_refused_and_nothing_is_saved(world, db, login_as):
    made = _replied(db, world)
    response = login_as("frontdesk").post_form(f"/projects/{world.p1.id}/callback-list/record", {
        "subject_type": "complaint", "subject_id": made.id, "reached": "1", "satisfaction": "9"})
    assert response.status_code == 422
    assert alert(response) == "满意度须在 1 到 5 之间。"
    db.expire_all()
    assert db.get(Complaint, made.id).status == "replied" and db.exec(select(CallbackAttempt)).all() == []


def test_another_projects_complaint_is_not_found(world, db, login_as):
    other = complaint(db, world.p2, status="replied")
    response = login_as("frontdesk").post_form(f"/projects/{world.p1.id}/callback-list/record", {
        "subject_type": "complaint", "subject_id": other.id, "reached": "1", "satisfaction": "5"})
    assert response.status_code == 404
    db.expire_all()
    assert db.get(Complaint, other.id).status == "replied"


def test_satisfaction_by_channel_and_department(app, world, db):
    now = utcnow()
    rows = [("complaint", "visit", "秩序维护部", True, 5), ("complaint", "visit", "秩序维护部", True, 2),
            ("ticket", "phone", "工程部", True, 4), ("ticket", "phone", "工程部", False, None)]
    db.add_all(CallbackAttempt(project_id=world.p1.id, subject_type=s, subject_id=i, channel=c, department=d, at=now,
                               reached=r, satisfaction=score) for i, (s, c, d, r, score) in enumerate(rows))
    db.commit()
    with app.app_context():
        figures = services.satisfaction(get_session(), world.p1.id, now - timedelta(days=1), now + timedelta(days=1))
    total = figures["total"][""]
    assert (total.calls, total.reached, total.satisfied) == (4, 3, 2)
    assert figures["channel"]["visit"].satisfaction_rate == 0.5
    assert figures["department"]["工程部"].satisfaction_rate == 1.0
    assert figures["subject"]["ticket"].reach_rate == 0.5


def test_the_months_plan_lists_each_complainant_once(world, db, login_as):
    complaint(db, world.p1, status="closed", satisfaction=5)
    complaint(db, world.p1, status="processing")  # the same phone: one row, not yet all called back
    complaint(db, world.p1, complainant_phone="13911112222", complainant_name="周女士")
    page = login_as("frontdesk").get(f"/projects/{world.p1.id}/callback-plan")
    rows = soup(page).select(".callback-plan tbody tr")
    assert len(rows) == 2
    assert [r.select("td")[-1].get_text(strip=True) for r in rows] == ["否", "否"]


def test_the_front_desk_home_shows_complaints_and_callbacks_due(world, db, login_as):
    _replied(db, world)
    complaint(db, world.p1, status="received", received_at=utcnow() - timedelta(days=2))
    page = login_as("frontdesk").get("/")
    body = soup(page).get_text(" ", strip=True)
    assert "投诉处理" in body and "2 条今日到期" in body
    assert "回访清单" in body and "1 个待回访" in body


def test_an_intake_marked_for_follow_up_is_due_until_a_call_reaches_the_caller(world, db, login_as):
    from tests.frontdesk import helpers as frontdesk

    intake = frontdesk.intake(db, world.p1, follow_up=True, caller_name="钱女士", caller_phone="13500000000",
                              received_at=utcnow() - timedelta(days=2), status="closed")
    client = login_as("frontdesk")
    url = f"/projects/{world.p1.id}/callback-list"
    assert [li["id"] for li in soup(client.get(url)).select("#callback-rows > li")] == [f"callback-intake-{intake.id}"]
    client.post_form(f"{url}/record", {"subject_type": "intake", "subject_id": intake.id, "reached": "0"})
    assert text(client.get(url), ".callback-due")[0].endswith("已尝试 1 次")
    client.post_form(f"{url}/record", {"subject_type": "intake", "subject_id": intake.id, "reached": "1",
                                       "satisfaction": "4"})
    assert soup(client.get(url)).select("#callback-rows > li.callback-row") == []
    assert [a.channel for a in db.exec(select(CallbackAttempt))] == ["phone", "phone"]


def test_the_homes_count_of_tickets_due_is_the_lists_whatever_their_attempts(app, world, db):
    """The home counts tickets awaiting callback in the database; the list reads them one by one: both agree on
    which are due by the end of the day — a day after the finish, or at the last attempt's retry time."""
    now = utcnow()
    end = now + timedelta(hours=6)
    made = [factories.ticket(db, world.p1, world.users["guard"], f"漏水 {n}")[0] for n in range(5)]
    finished = [now - timedelta(days=2), now, now - timedelta(days=2), now, now - timedelta(days=2)]
    retries = [None, None, now + timedelta(days=1), now + timedelta(hours=1), "none"]  # "none": tried, no retry set
    for ticket, done, retry in zip(made, finished, retries):
        ticket.status, ticket.finished_at = "awaiting_callback", done
        db.add(ticket)
        if retry is not None:
            db.add(CallbackAttempt(project_id=world.p1.id, subject_type="ticket", subject_id=0, at=now - timedelta(hours=2),
                                   retry_at=None))  # another subject's attempt: not this ticket's
            db.add(CallbackAttempt(project_id=world.p1.id, subject_type="ticket", subject_id=ticket.id,
                                   at=now - timedelta(hours=1), retry_at=None if retry == "none" else retry))
    db.commit()
    with app.app_context():
        session = get_session()
        listed = [d.subject_id for d in services.due_list(session, world.p1.id, now)
                  if d.subject_type == "ticket" and d.due_at < end]
        assert sorted(listed) == sorted([made[0].id, made[3].id, made[4].id])
        assert services.count_due(session, [world.p1.id], end) == {world.p1.id: 3}
