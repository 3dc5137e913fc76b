"""Deadlines from the seeds and the three-level escalation, run by the clock on a frozen time across days."""
from datetime import timedelta

from sqlmodel import select

from app.complaints import deadlines
from app.complaints.models import Complaint, ComplaintSettings
from app.core.clock import run_due
from app.core.notifications import Notification, text_of
from tests.complaints.helpers import at, complaint, handler, security


def test_the_desk_handles_its_own_the_same_day_and_a_department_within_three_days():
    settings = ComplaintSettings(project_id=1)
    late_evening = at("2026-03-02", "23:50")
    assert deadlines.resolve_due(settings, late_evening, None, "Asia/Shanghai") == at("2026-03-03", "00:00")
    assert deadlines.resolve_due(settings, late_evening, "customer_service", "Asia/Shanghai") == at("2026-03-03", "00:00")
    assert deadlines.resolve_due(settings, late_evening, "security", "Asia/Shanghai") == at("2026-03-05", "23:50")
    assert deadlines.reply_due(settings, late_evening) == at("2026-03-03", "23:50")


def test_one_level_up_per_escalation_step_and_never_above_the_manager():
    settings = ComplaintSettings(project_id=1, escalate_hours=24)
    missed = at("2026-03-03", "09:00")
    assert [deadlines.level(settings, missed, missed + timedelta(hours=h)) for h in (-1, 0, 1, 23, 24, 48, 200)] == [
        0, 0, 1, 1, 2, 3, 3]


def _escalations(db) -> list[tuple[int, int, str]]:
    db.expire_all()
    return [(n.params["level"], n.user_id, n.params["what"]) for n in db.exec(
        select(Notification).where(Notification.event == "complaints.escalated").order_by(Notification.id))]


def _tick(app, moment):
    [outcome] = run_due(app, moment, names=["complaints.escalate"], force=True)
    assert not outcome.error, outcome.error


def test_a_late_complaint_climbs_team_supervisor_manager_once_each(app, world, db):
    lead = handler(db, world)
    received = at("2026-03-02", "09:00")
    late = complaint(db, world.p1, status="assigned", owner=world.users["frontdesk"], department=security(db, world.p1),
                     received_at=received)
    replied = complaint(db, world.p1, status="replied", owner=world.users["frontdesk"],
                        department=security(db, world.p1), received_at=received)
    _tick(app, at("2026-03-03", "08:59"))  # the 24 h first reply is not yet due
    assert _escalations(db) == []
    _tick(app, at("2026-03-03", "09:01"))
    _tick(app, at("2026-03-03", "20:00"))  # the same level again: nobody is told twice
    assert _escalations(db) == [(1, lead.id, "reply")]
    _tick(app, at("2026-03-04", "09:01"))
    _tick(app, at("2026-03-05", "09:01"))
    _tick(app, at("2026-03-09", "09:01"))
    assert _escalations(db) == [(1, lead.id, "reply"), (2, world.users["supervisor"].id, "reply"),
                                (3, world.users["admin"].id, "reply")]
    assert (db.get(Complaint, late.id).escalation, db.get(Complaint, replied.id).escalation) == (3, 0)
    with app.test_request_context():
        note = db.exec(select(Notification).where(Notification.event == "complaints.escalated",
                                                  Notification.user_id == world.users["admin"].id)).one()
        assert text_of(note) == f"投诉 {late.number} 已超过首次答复期限,升级至经理。"


def test_the_desks_own_complaint_is_late_at_midnight_and_its_owner_is_told(app, world, db):
    received = at("2026-03-02", "16:00")
    mine = complaint(db, world.p1, status="received", owner=world.users["frontdesk"], received_at=received,
                     resolve_due_at=deadlines.resolve_due(ComplaintSettings(project_id=1), received, None,
                                                          "Asia/Shanghai"))
    _tick(app, at("2026-03-02", "23:59"))
    _tick(app, at("2026-03-03", "00:01"))
    assert _escalations(db) == [(1, world.users["frontdesk"].id, "resolve")]
    assert db.get(Complaint, mine.id).escalation == 1
