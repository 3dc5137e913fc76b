"""Repairs' outbox record kinds: a report from any role, an engineer's action on a ticket, online or not.

The handlers run inside the API request: they call the services, which refuse with `TicketError` (a
`Refusal`, so the phone gets it unchanged), and build the answer's URL here.
"""
from flask import url_for
from sqlmodel import Session

from app.accounts.models import PROJECT_ROLES
from app.core.db import utcnow
from app.core.permissions import visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.repairs import services
from app.repairs.models import Ticket
from app.sync.services import Kind, Submission, register


def _answer(ticket: Ticket) -> dict:
    return {"id": ticket.id, "number": ticket.number, "status": ticket.status,
            "url": url_for("repairs.ticket", ticket_id=ticket.id)}


def report(session: Session, s: Submission) -> dict:
    """`ticket_report`: {description, location, area_id, category, severity, urgent} and up to 6 before-photos."""
    ticket = services.report(session, storage=s.storage, user=s.user, project=s.project, data=s.data,
                             reported_at=s.client_time, photos=s.photos, client_id=s.client_id)
    return _answer(ticket)


def act(session: Session, s: Submission) -> dict:
    """`ticket_action`: {ticket_id, action, reason, work_note, materials}; an engineer starts or finishes a repair."""
    ticket = services.ticket_in(session, s.data.get("ticket_id"), project_id=s.project.id)
    services.act(session, storage=s.storage, actor=s.user, ticket=ticket, action=str(s.data.get("action", "")),
                 now=utcnow(), event_time=s.client_time, reason=s.data.get("reason", ""),
                 work_note=s.data.get("work_note", ""), materials=s.data.get("materials", ""), photos=s.photos,
                 photo_prefix=f"tickets/{ticket.project_id}/{s.client_id}")
    return _answer(ticket)


def _offline_pages(session: Session, user) -> list[str]:
    """Everyone keeps the report form of each of their projects."""
    projects = session.exec(visible_projects_stmt(user, active_only=True)).all()
    return [url_for("repairs.report_form", project_id=p.id) for p in projects]


def _engineer_pages(session: Session, user) -> list[str]:
    """An engineer keeps "my tickets" and each open ticket of theirs, to work them without signal."""
    pages = [url_for("repairs.my_tickets")]
    pages.extend(url_for("repairs.ticket", ticket_id=t.id) for t, _clock in services.my_tickets(session, user, utcnow()))
    return pages


register(Kind(name="ticket_report", roles=PROJECT_ROLES, handle=report, max_photos=6, label="报修",
              offline_pages=_offline_pages))
register(Kind(name="ticket_action", roles=("engineer",), handle=act, max_photos=6, label="工单处理",
              offline_pages=_engineer_pages))


register_viewers(("ticket", "ticket_after", "ticket_work"), for_roles())  # the ticket page: every member
