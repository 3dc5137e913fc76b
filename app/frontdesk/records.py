"""The front desk's outbox record kind: an intake taken on the desk's PC or by a 客服 walking the estate offline.

The handler runs inside the API request: it calls the service, whose refusals (`IntakeError`, `UnitError`, both
`Refusal`s) reach the phone unchanged, and builds the answer's URL here.
"""
from flask import url_for
from sqlmodel import Session

from app.accounts.services import projects_with_role
from app.core.db import utcnow, zone
from app.core.photos import for_roles, register_viewers
from app.frontdesk import services
from app.sync.services import Kind, Submission, register


def take(session: Session, s: Submission) -> dict:
    """`frontdesk_intake`: {channel, category, unit_id | unit, occupant_id, caller_name, caller_phone, description,
    answer, urgent, appointment, follow_up, ticket_category} and up to 6 photos."""
    intake = services.take(session, storage=s.storage, actor=s.user, project=s.project, data=s.data,
                           received_at=s.client_time, photos=s.photos, client_id=s.client_id, now=utcnow(), tz=zone())
    answer = {"id": intake.id, "category": intake.category, "status": intake.status,
              "url": url_for("frontdesk.calls", project_id=s.project.id)}
    if intake.ticket_id:
        answer.update(ticket_id=intake.ticket_id, url=url_for("repairs.ticket", ticket_id=intake.ticket_id))
    return answer


def _offline_pages(session: Session, user) -> list[str]:
    """The desk's people keep the intake form of each of their projects, to record a visit without signal."""
    return [url_for("frontdesk.intake_form", project_id=p)
            for p in projects_with_role(session, user.id, services.INTAKE_ROLES)]


register(Kind(name="frontdesk_intake", roles=services.INTAKE_ROLES, handle=take, max_photos=6, label="来电来访登记",
              offline_pages=_offline_pages))

register_viewers(("intake",), for_roles(*services.INTAKE_ROLES))  # the call log: the desk and supervisors
