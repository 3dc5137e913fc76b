"""Complaints' outbox record kind: a processing note or an on-site visit with photos, made on a phone offline too.

The handler runs inside the API request: it calls the service, which refuses with `ComplaintError` (a `Refusal`,
so the phone gets it unchanged), and builds the answer's URL here.
"""
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlmodel import Session

from app.accounts.models import PROJECT_ROLES
from app.complaints import services
from app.complaints.models import Complaint, ComplaintNote
from app.core.db import utcnow
from app.core.permissions import visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.sync.services import Kind, Submission, register

NOTE_ACTIONS = ("note", "on_site")


def note(session: Session, s: Submission) -> dict:
    """`complaint_note`: {complaint_id, action: note | on_site, text} and up to 6 photos, at the phone's time."""
    complaint = services.complaint_in(session, s.data.get("complaint_id"), project_id=s.project.id)
    action = str(s.data.get("action", "note"))
    if action not in NOTE_ACTIONS:
        raise services.ComplaintError(_("未知操作。"), status=400)
    services.act(session, storage=s.storage, actor=s.user, complaint=complaint, action=action, now=utcnow(),
                 tz=current_app.config["TIMEZONE"], event_time=s.client_time, text=s.data.get("text", ""),
                 photos=s.photos, photo_prefix=f"complaints/{complaint.project_id}/{s.client_id}")
    return {"id": complaint.id, "number": complaint.number, "status": complaint.status,
            "url": url_for("complaints.complaint", complaint_id=complaint.id)}


def _offline_pages(session: Session, user) -> list[str]:
    """A department's responsible user keeps the page of each complaint assigned to them, to note it on site."""
    projects = session.exec(visible_projects_stmt(user, active_only=True)).all()
    return [url_for("complaints.complaint", complaint_id=c.id)
            for c in services.for_department_user(session, [p.id for p in projects], user.id, limit=20)]


register(Kind(name="complaint_note", roles=PROJECT_ROLES, handle=note, max_photos=6, label="投诉处理",
              offline_pages=_offline_pages))
_desk = for_roles("frontdesk", "supervisor")


def _note_viewers(session: Session, user, photo) -> bool:
    """The complaint page's readers: the desk, supervisors, admins and the assigned department's users."""
    if _desk(session, user, photo):
        return True
    note_ = session.get(ComplaintNote, photo.owner_id)
    complaint = session.get(Complaint, note_.complaint_id) if note_ else None
    return complaint is not None and complaint.project_id == photo.project_id and \
        services.is_handler(session, complaint, user.id)


register_viewers(("complaint_note",), _note_viewers)
