"""The patrols' outbox record kinds: what a guard's phone sends while walking a round, online or not.

The services record the visit or the finish; the answer (with the round's page) and the pages a guard
keeps offline are built here, at the sync boundary, where the API request's URLs are at hand.
"""
from flask import url_for
from sqlmodel import Session

from app.core.db import utcnow
from app.core.permissions import has_role, visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.patrols import services
from app.patrols.services import WALKERS
from app.sync.services import Kind, Submission, register

SCRIPTS = ("vendor/jsqr/jsQR.min.js", "js/scan.js", "js/patrol.js")


def _round_page(round_id: int) -> str:
    return url_for("patrols.round_detail", round_id=round_id)


def visit(session: Session, s: Submission) -> dict:
    """`patrol_visit`: {round_id, position, code, method, item-<key>, note-<key>, latitude…}, photos `photo-<key>`."""
    row, tickets = services.record_visit(session, s)
    return {"id": row.id, "round_id": row.round_id, "position": row.position, "failed": row.failed,
            "tickets": [t.number for t in tickets], "url": _round_page(row.round_id)}


def finish(session: Session, s: Submission) -> dict:
    """`patrol_finish`: {round_id}; the round ends at the device time."""
    round_ = services.finish_round(session, s)
    return {"id": round_.id, "finished": True, "url": _round_page(round_.id)}


def offline_pages(session: Session, user) -> list[str]:
    """A walker keeps the scanner's scripts and, for each round theirs to walk now, its page and its stops' pages."""
    pages = []
    for project in session.exec(visible_projects_stmt(user, active_only=True)).all():
        if not has_role(session, user, project, WALKERS):
            continue
        pages.extend(url_for("static", filename=f) for f in SCRIPTS)
        for view in services.my_rounds(session, user=user, project=project, now=utcnow()):
            pages.append(url_for("patrols.walk", round_id=view.round.id))
            pages.extend(url_for("patrols.stop", round_id=view.round.id, position=stop["position"])
                         for stop in view.round.stops)
    return pages


KINDS = (
    Kind(name="patrol_visit", roles=WALKERS, handle=visit, max_photos=30, label="巡更", offline_pages=offline_pages),
    Kind(name="patrol_finish", roles=WALKERS, handle=finish, max_photos=0, label="结束巡逻"),
)
for _kind in KINDS:
    register(_kind)


register_viewers("visit", for_roles("supervisor", *WALKERS))  # the round page: supervisors and walkers
