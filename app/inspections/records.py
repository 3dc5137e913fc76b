"""The inspections' outbox record kind: a whole visit, scored on a tablet that may be offline.

The handler runs inside the sync API's request: it hands the services the storage and builds the
answer's URL, so the services themselves run without one.
"""
from flask import url_for
from sqlmodel import Session

from app.core.db import utcnow
from app.core.permissions import has_role, visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.inspections import services
from app.inspections.models import Rectification
from app.inspections.services import INSPECTORS
from app.sync.services import Kind, Submission, register

SCRIPTS = ("js/inspection.js",)


def record_inspection(session: Session, submission: Submission) -> dict:
    """`inspection`: a whole visit, every sheet scored, with the photos of each deduction."""
    project = submission.project
    inspection = services.create_inspection(
        session, storage=submission.storage, actor=submission.user, project=project, data=submission.data,
        photos_of=submission.photos_of, inspected_at=submission.client_time, received_at=utcnow(),
        photo_prefix=f"inspections/{project.id}/{submission.client_id}")
    sheets = services.sheets_of(session, [inspection.id]).get(inspection.id, [])
    return {"id": inspection.id, "url": url_for("inspections.detail", inspection_id=inspection.id),
            "scores": {s.name: s.score for s in sheets}}


def _offline_pages(session: Session, user) -> list[str]:
    pages = []
    for project in session.exec(visible_projects_stmt(user, active_only=True)).all():
        if has_role(session, user, project, INSPECTORS):
            pages.append(url_for("inspections.new", project_id=project.id))
            pages.extend(url_for("static", filename=f) for f in SCRIPTS)
    return pages


register(Kind(name="inspection", roles=INSPECTORS, handle=record_inspection, max_photos=120, label="案场检查",
              offline_pages=_offline_pages))


_readers = for_roles(*services.INSPECTORS, *services.LEADS)  # the inspection and rectification pages


def _sees_rectification(session: Session, user, photo) -> bool:
    """The rectification pages' readers, and the item's owner, who reports the fix."""
    item = session.get(Rectification, photo.owner_id)
    return (item is not None and item.owner_id == user.id) or _readers(session, user, photo)


register_viewers(("inspection_deduction", "inspection_objection"), _readers)
register_viewers("rectification", _sees_rectification)
