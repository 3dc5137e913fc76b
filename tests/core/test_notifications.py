"""The bell: an unread count polled by htmx, overdue alerts raised once, marked read."""
from datetime import timedelta

from sqlmodel import select

from app.core.clock import run_due
from app.core.db import utcnow
from app.core.notifications import Notification
from app.repairs.models import Ticket
from tests.html import soup, text


def test_an_overdue_ticket_rings_the_supervisors_bell_once(app, login_as, world, db):
    ticket = db.get(Ticket, world.tickets["p1"].id)
    ticket.created_at = utcnow() - timedelta(minutes=10)  # reported ten minutes ago, not dispatched
    db.add(ticket)
    db.commit()
    run_due(app, names=["repairs.overdue"])
    run_due(app, names=["repairs.overdue"], force=True)
    supervisor = login_as("supervisor")
    bell = soup(supervisor.get("/notifications/bell", headers={"HX-Request": "true"})).select_one("#bell")
    assert bell.select_one(".bell-count").get_text() == "1"
    assert bell["hx-trigger"] == "every 60s"  # a swapped-in bell that triggered on "load" would poll in a loop
    assert soup(supervisor.get("/")).select_one("#bell")["hx-trigger"] == "load, every 60s"
    supervisor.get("/notifications/bell")
    assert len(db.exec(select(Notification).where(Notification.user_id == world.users["supervisor"].id)).all()) == 1
    assert any("超时未派单" in t for t in text(supervisor.get("/notifications"), "li"))
    supervisor.post_form("/notifications/read")
    assert soup(supervisor.get("/notifications/bell")).select_one(".bell-count") is None


def test_a_guard_hears_nothing_of_tickets(login_as, world):
    assert soup(login_as("guard").get("/notifications/bell")).select_one(".bell-count") is None
