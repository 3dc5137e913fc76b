"""A restock request left pending too long is put to the supervisors again by the clock, once."""
from datetime import timedelta

from sqlmodel import select

from app.core.clock import run_due
from app.core.notifications import Notification, text_of
from app.shifts.models import RestockRequest


def test_a_request_waiting_past_the_limit_reminds_the_supervisors_once(app, world, db):
    request = db.get(RestockRequest, world.shifts["p1"].restock.id)
    for hours in (3, 5, 6):
        run_due(app, request.requested_at + timedelta(hours=hours), names=["shifts.restock"], force=True)
    notices = db.exec(select(Notification).where(Notification.event == "shifts.restock_waiting",
                                                 Notification.project_id == world.p1.id)).all()
    assert [n.user_id for n in notices] == [world.users["supervisor"].id]
    with app.test_request_context():
        assert "矿泉水" in text_of(notices[0]) and "4" in text_of(notices[0])


def test_a_decided_request_is_not_put_again(app, world, db):
    request = db.get(RestockRequest, world.shifts["p1"].restock.id)
    request.status = "approved"
    db.commit()
    run_due(app, request.requested_at + timedelta(days=1), names=["shifts.restock"], force=True)
    assert db.exec(select(Notification).where(Notification.event == "shifts.restock_waiting",
                                              Notification.project_id == world.p1.id)).all() == []
