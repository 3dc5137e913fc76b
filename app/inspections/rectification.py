"""Rectification after a visit: each deduction's item is fixed by its owner (with an after-photo), then
verified or sent back by an inspector; the next visit checks the items still open. The items are made
with the visit (`services.create_inspection`)."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.models import User
from app.core import audit
from app.core.db import among
from app.core.notifications import link, notify
from app.core.photos import ProcessedPhoto, attach
from app.inspections import notices
from app.inspections.models import Inspection, Rectification
from app.inspections.services import MAX_NOTE, InspectionError, claim


def close_rectification(session: Session, *, storage, actor: User, item: Rectification, note: str,
                        photos: list[ProcessedPhoto], now: datetime) -> Rectification:
    """The owner reports the problem fixed, with an after-photo (kept in `storage`); the inspector then verifies it."""
    if item.status != "open":
        raise InspectionError(_("这项整改已提交,不能重复提交。"), status=409)
    note = (note or "").strip()
    if not photos:
        raise InspectionError(_("请拍摄整改后的照片。"))
    if not note:
        raise InspectionError(_("请填写整改说明。"))
    claim(session, item, expected="open", refusal=_("这项整改已提交,不能重复提交。"),
          status="closed", closed_at=now, closed_by=actor.id, close_note=note[:MAX_NOTE])
    attach(session, storage, photos, project_id=item.project_id, owner_type="rectification", owner_id=item.id,
           uploaded_by=actor.id, taken_at=now, prefix=f"rectifications/{item.id}/{int(now.timestamp())}")
    audit.record(session, actor=actor, action="rectification.close", obj=item, before={"status": "open"},
                 after={"status": "closed", "note": item.close_note, "photos": len(photos)})
    session.commit()
    return item


def verify_rectification(session: Session, *, actor: User, item: Rectification, accept: bool, now: datetime
                         ) -> Rectification:
    """The inspector confirms the fix (verified) or sends it back (open again)."""
    if item.status != "closed":
        raise InspectionError(_("只有已提交整改的项才能验证。"), status=409)
    claim(session, item, expected="closed", refusal=_("只有已提交整改的项才能验证。"),
          status="verified" if accept else "open", verified_at=now if accept else None,
          verified_by=actor.id if accept else None)
    audit.record(session, actor=actor, action="rectification.verify" if accept else "rectification.reopen",
                 obj=item, before={"status": "closed"}, after={"status": item.status})
    if not accept and item.owner_id:
        notify(session, user_ids=[item.owner_id], project_id=item.project_id, event=notices.RECTIFICATION_REOPENED,
               params={"label": item.label}, link=link("inspections.rectifications", project_id=item.project_id))
    session.commit()
    return item


def rectifications_stmt(project_id: int):
    return (select(Rectification).where(Rectification.project_id == project_id)
            .order_by(Rectification.status != "open", Rectification.due_at, Rectification.id))


def overdue(item: Rectification, now: datetime) -> bool:
    return item.status == "open" and item.due_at < now


def rectifications_of(session: Session, inspection: Inspection) -> list[Rectification]:
    return session.exec(select(Rectification).where(Rectification.inspection_id == inspection.id)
                        .order_by(Rectification.id)).all()


def unresolved_counts(session: Session, project_ids: list[int], now: datetime) -> dict[int, tuple[int, int]]:
    """{project id: (items open or awaiting verification, of which overdue)} with one grouped query."""
    if not project_ids:
        return {}
    late = sa.func.sum(sa.case((sa.and_(Rectification.status == "open", Rectification.due_at < now), 1), else_=0))
    return {i: (n, int(k or 0)) for i, n, k in session.exec(
        select(Rectification.project_id, sa.func.count(), late).where(
            among(Rectification.project_id, project_ids), Rectification.status.in_(("open", "closed")))
        .group_by(Rectification.project_id)).all()}


def overdue_in(session: Session, project_ids: list[int], now: datetime) -> list:
    """The open rectification items of many projects past their due date, the longest overdue first, as rows of
    what a needs-attention line shows (many projects: not whole objects)."""
    if not project_ids:
        return []
    return session.exec(select(Rectification.id, Rectification.project_id, Rectification.label, Rectification.note,
                               Rectification.due_at, Rectification.owner_id, Rectification.times_found_open)
                        .where(among(Rectification.project_id, project_ids), Rectification.status == "open",
                               Rectification.due_at < now)
                        .order_by(Rectification.due_at, Rectification.id)).all()
