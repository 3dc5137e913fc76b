"""Overdue tickets are told by the clock, on each project's own targets, once, whether or not a bell is polled."""
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.core.clock import run_due
from app.core.notifications import Notification, text_of
from app.repairs.models import RepairSettings, Ticket


def overdue_notices(db) -> list[Notification]:
    db.expire_all()
    return db.exec(select(Notification).where(Notification.event.startswith("repairs.overdue_"))
                   .order_by(Notification.id)).all()


def tick(app, at):
    outcomes = run_due(app, at, names=["repairs.overdue"], force=True)
    assert not outcomes[0].error, outcomes[0].error


def test_an_undispatched_ticket_alerts_the_supervisors_once_past_its_projects_target(app, world, db):
    db.add(RepairSettings(project_id=world.p1.id, dispatch_minutes=30))
    db.commit()
    created = db.get(Ticket, world.tickets["p1"].id).created_at
    tick(app, created + timedelta(minutes=10))  # the default 3 minutes would have alerted here
    assert [n for n in overdue_notices(db) if n.project_id == world.p1.id] == []
    tick(app, created + timedelta(minutes=31))
    tick(app, created + timedelta(minutes=45))
    notices = [n for n in overdue_notices(db) if n.project_id == world.p1.id]
    assert [n.user_id for n in notices] == [world.users["supervisor"].id]
    assert notices[0].link == {"endpoint": "repairs.ticket", "args": {"ticket_id": world.tickets["p1"].id}}
    with app.test_request_context():
        assert "超时未派单" in text_of(notices[0])


def test_the_minutes_look_reads_only_the_tickets_not_told_yet(app, world, db):
    """A busy company has tens of thousands of open tickets told long ago: every minute, the job reads the
    tickets not told yet through its two indexes, not every open ticket with its clock mark. SQLite's plan is
    checked; PostgreSQL chooses by its statistics."""
    seen = []

    def note(_conn, _cursor, statement, parameters, *_args):
        if "FROM ticket" in statement:
            seen.append((statement, parameters))

    engine, created = db.get_bind(), db.get(Ticket, world.tickets["p1"].id).created_at
    event.listen(engine, "before_cursor_execute", note)
    try:
        tick(app, created + timedelta(minutes=10))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert db.get(Ticket, world.tickets["p1"].id).dispatch_alerted  # told, and marked so on the ticket
    if engine.dialect.name != "sqlite":
        pytest.skip("the plans checked are SQLite's (EXPLAIN QUERY PLAN)")
    reads = [s for s in seen if s[0].lstrip().upper().startswith("SELECT")]
    plans = [" ".join(row[-1] for row in db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p).all())
             for s, p in reads]
    assert plans and all("ix_ticket_dispatch_alert" in plan and "ix_ticket_completion_alert" in plan
                         for plan in plans), plans


def test_a_dispatched_ticket_past_its_completion_target_tells_the_engineer_and_supervisors(app, world, db):
    ticket = db.get(Ticket, world.tickets["p1"].id)
    ticket.status, ticket.assignee_id = "dispatched", world.users["engineer"].id
    ticket.due_at = ticket.created_at + timedelta(days=7)
    db.commit()
    tick(app, ticket.due_at - timedelta(minutes=1))
    tick(app, ticket.due_at + timedelta(minutes=1))
    tick(app, ticket.due_at + timedelta(days=1))
    notices = [n for n in overdue_notices(db) if n.project_id == world.p1.id]
    assert sorted(n.user_id for n in notices) == sorted([world.users["supervisor"].id, world.users["engineer"].id])
    assert {n.event for n in notices} == {"repairs.overdue_completion"}


def test_many_tickets_past_their_target_at_once_are_told_as_one_notice_each_once(app, world, db, login_as):
    """After the clock was stopped, 30 tickets of one project past the dispatch target: the supervisor gets one
    notice saying 31 (with the world's own), the engineer one saying how many of theirs are past completion."""
    created = db.get(Ticket, world.tickets["p1"].id).created_at
    engineer = world.users["engineer"].id
    db.add_all([Ticket(project_id=world.p1.id, number=f"BX-FLOOD-{i}", description="漏水", created_at=created,
                       reported_at=created) for i in range(30)]
               + [Ticket(project_id=world.p1.id, number=f"BX-LATE-{i}", description="漏水", status="dispatched",
                         assignee_id=engineer, created_at=created, reported_at=created,
                         due_at=created + timedelta(days=1)) for i in range(12)])
    db.commit()
    tick(app, created + timedelta(days=2))
    tick(app, created + timedelta(days=3))
    notices = [n for n in overdue_notices(db) if n.project_id == world.p1.id]
    mine = lambda user, event: [n.params["count"] for n in notices if n.user_id == user and n.event == event]  # noqa: E731
    assert mine(world.users["supervisor"].id, "repairs.overdue_dispatch.many") == [31]
    assert mine(world.users["supervisor"].id, "repairs.overdue_completion.many") == [12]
    assert mine(engineer, "repairs.overdue_completion.many") == [12]
    assert len(notices) == 3  # not one per ticket
    assert notices[0].link == {"endpoint": "repairs.tickets", "args": {"project_id": world.p1.id}}
    with app.test_request_context():
        assert "31 张工单超时未派单" in text_of(notices[0])
    page = login_as("supervisor").get("/notifications").get_data(as_text=True)
    assert "31 张工单超时未派单" in page and f'href="/projects/{world.p1.id}/tickets"' in page
    one_more = Ticket(project_id=world.p1.id, number="BX-NEXT", description="漏水", created_at=created + timedelta(days=3),
                      reported_at=created + timedelta(days=3))
    db.add(one_more)
    db.commit()
    tick(app, created + timedelta(days=4))  # a later one alone is told by its number again
    last = overdue_notices(db)[-1]
    assert (last.event, last.params) == ("repairs.overdue_dispatch", {"number": "BX-NEXT"})
