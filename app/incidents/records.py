"""Incidents' outbox record kinds: a report and a follow-up, made on a phone without signal too.

The handlers run inside the API request: they call the services, which refuse with `IncidentError` (a `Refusal`,
so the phone gets it unchanged), and build the answer's URL here.
"""
from flask import current_app, url_for
from sqlmodel import Session

from app.core.db import utcnow
from app.core.permissions import roles_by_project, visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.incidents import services
from app.incidents.models import Incident
from app.incidents.workflow import REPORTERS
from app.sync.services import Kind, Submission, register


def _answer(incident: Incident) -> dict:
    return {"id": incident.id, "number": incident.number, "status": incident.status,
            "url": url_for("incidents.incident", incident_id=incident.id)}


def report(session: Session, s: Submission) -> dict:
    """`incident_report`: {kind, severity, occurred_at, place, location, people, description, action_taken,
    round_id, source} and up to 6 photos; the reporter's time is the phone's."""
    incident = services.report(session, storage=s.storage, actor=s.user, project=s.project, data=s.data,
                               reported_at=s.client_time, tz=current_app.config["TIMEZONE"], photos=s.photos,
                               client_id=s.client_id)
    return _answer(incident)


def follow_up(session: Session, s: Submission) -> dict:
    """`incident_followup`: {incident_id, text, severity} and up to 6 photos, at the phone's time."""
    incident = services.incident_in(session, s.data.get("incident_id"), project_id=s.project.id)
    services.act(session, storage=s.storage, actor=s.user, incident=incident, action="follow_up", now=utcnow(),
                 event_time=s.client_time, text=s.data.get("text", ""), severity=str(s.data.get("severity", "")),
                 photos=s.photos, photo_prefix=f"incidents/{incident.project_id}/{s.client_id}")
    return _answer(incident)


def _offline_pages(session: Session, user) -> list[str]:
    """Whoever is on duty keeps the report form of each project (and its script), and their own open incidents."""
    projects = session.exec(visible_projects_stmt(user, active_only=True)).all()
    held = roles_by_project(session, user, projects)
    projects = [p for p in projects if user.is_admin or held[p.id] & set(REPORTERS)]
    if not projects:
        return []
    pages = [url_for("static", filename="js/incidents.js")]
    pages += [url_for("incidents.new", project_id=p.id) for p in projects]
    pages += [url_for("incidents.incident", incident_id=i.id)
              for i in services.reported_by(session, user.id, [p.id for p in projects])]
    return pages


register(Kind(name="incident_report", roles=REPORTERS, handle=report, max_photos=6, label="特殊事件",
              offline_pages=_offline_pages))
register(Kind(name="incident_followup", roles=REPORTERS, handle=follow_up, max_photos=6, label="特殊事件跟进"))

# The incident page's readers: every member on duty of the project (and admins).
register_viewers(("incident", "incident_followup"), for_roles(*REPORTERS))
