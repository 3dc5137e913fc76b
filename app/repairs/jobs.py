"""The repairs clock: a ticket past its project's dispatch or completion target alerts once, whoever is looking."""
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.core.clock import batches, job, once, unmarked
from app.core.notifications import link, notify
from app.repairs import notices, workflow
from app.repairs.models import Ticket
from app.repairs.services import clock, settings_for


def _candidates(session: Session, now: datetime) -> list[Ticket]:
    """Tickets that may have run past a target and were not alerted yet; each project's own targets decide."""
    waiting = select(Ticket).where(Ticket.status == "reported", unmarked("repairs.overdue-dispatch:", Ticket.id))
    late = select(Ticket).where(Ticket.status.in_(workflow.OPEN), Ticket.status != "reported", Ticket.due_at < now,
                                unmarked("repairs.overdue-completion:", Ticket.id))
    return session.exec(waiting).all() + session.exec(late).all()


def alert_overdue(session: Session, now: datetime, config) -> int:
    """Tell the project's supervisors and the assigned engineer once about each ticket past its target."""
    alerted, settings = 0, {}
    for chunk in batches(_candidates(session, now), 100):
        for ticket in chunk:
            if ticket.project_id not in settings:
                settings[ticket.project_id] = settings_for(session, ticket.project_id)
            state = clock(ticket, settings[ticket.project_id], now)
            if not (state and state.overdue and once(session, f"repairs.overdue-{state.what}:{ticket.id}", now)):
                continue
            users = member_ids(session, ticket.project_id, ("supervisor",)) + [ticket.assignee_id or 0]
            notify(session, user_ids=[u for u in users if u], event=notices.OVERDUE[state.what],
                   project_id=ticket.project_id, params={"number": ticket.number},
                   link=link("repairs.ticket", ticket_id=ticket.id), key=f"overdue-{state.what}:{ticket.id}")
            alerted += 1
        session.commit()
    return alerted


job("repairs.overdue", every=timedelta(minutes=1), run=alert_overdue)
