"""The sample rooms' outbox record kinds: a whole handover, and an opening or closing check, each one record.

The handlers run inside the API request: here the answer's link is built (the storage comes with the submission);
a refusal raised by the services reaches the phone as it is.
"""
from flask import url_for
from sqlmodel import Session

from app.core.permissions import has_role, visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.handovers import checks, services
from app.handovers.inventory import rooms_of
from app.handovers.models import CHECK_KINDS, CHECK_PHOTO, ITEM_PHOTO, KEYS_SIGN, LINE_PHOTO, SIGN_IN, SIGN_OUT
from app.sync.services import Kind, Submission, register

COUNTERS = ("attendant",)
CLOSERS = ("attendant",)


def handover(session: Session, s: Submission) -> dict:
    """`room_handover`: counts, photos and both signatures of one room, with the incoming attendant's password."""
    record, tickets = services.receive(session, s, storage=s.storage)
    return {"id": record.id, "discrepancies": record.discrepancies, "tickets": [t.number for t in tickets],
            "url": url_for("handovers.handover", handover_id=record.id)}


def room_check(session: Session, s: Submission) -> dict:
    """`room_check`: an opening or closing check; a closing one with the guard who took the keys and signed."""
    record, tickets = checks.record_check(session, s, storage=s.storage)
    return {"id": record.id, "failed": record.failed, "tickets": [t.number for t in tickets],
            "url": url_for("handovers.check", check_id=record.id)}


def offline_pages(session: Session, user) -> list[str]:
    """An attendant keeps the rooms page of each project, and each room's handover and check forms."""
    pages = []
    for project in session.exec(visible_projects_stmt(user, active_only=True)).all():
        if not has_role(session, user, project, COUNTERS):
            continue
        pages.extend([url_for("static", filename=f"js/{script}") for script in ("signature.js", "handover-index.js")])
        pages.append(url_for("handovers.rooms", project_id=project.id))
        for room in rooms_of(session, project):
            pages.append(url_for("handovers.handover_form", room_id=room.id))
            pages.extend(url_for("handovers.check_form", room_id=room.id, kind=kind) for kind in CHECK_KINDS)
    return pages


register(Kind(name="room_handover", roles=COUNTERS, handle=handover, max_photos=60, label="样板间交接",
              offline_pages=offline_pages))
register(Kind(name="room_check", roles=CLOSERS, handle=room_check, max_photos=30, label="开场/收场检查"))


register_viewers((ITEM_PHOTO, LINE_PHOTO, SIGN_OUT, SIGN_IN, CHECK_PHOTO, KEYS_SIGN), for_roles("supervisor", *COUNTERS))
