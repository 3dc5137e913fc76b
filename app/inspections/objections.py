"""Objections and their window: a result is provisional until the window has passed or every objection
is decided, then effective and locked. The project lead objects to a deduction; any inspector of the
project accepts (the points come back) or rejects it; an inspector may also withdraw a deduction."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import member_ids
from app.checklists.services import get_version
from app.core import audit
from app.core.db import among, count_by, local, update_if
from app.core.notifications import link, notify
from app.core.photos import ProcessedPhoto, attach
from app.core.validation import required_text
from app.inspections import notices, scoring
from app.inspections.models import Deduction, Inspection, InspectionSheet, Objection, Rectification
from app.inspections.services import INSPECTORS, MAX_NOTE, InspectionError, by_inspection, claim, project_leads
from app.repairs.services import unfinished_ticket


def status_at(inspection: Inspection, objections: list[Objection], now: datetime) -> str:
    """Provisional until the window has passed with nothing pending, or every objection raised is decided."""
    if inspection.status == "effective":
        return "effective"
    if any(o.status == "pending" for o in objections):
        return "provisional"
    if objections or now >= inspection.objection_deadline:
        return "effective"
    return "provisional"


def objections_of(session: Session, inspection_ids) -> dict[int, list[Objection]]:
    return by_inspection(session, Objection, inspection_ids, Objection.id)


def statuses(session: Session, inspections: list[Inspection], now: datetime) -> dict[int, str]:
    """Each inspection's status at `now`, as the clock records it: what pages show (they never write), so one
    whose window has passed reads as effective before the clock's next minute has made it so."""
    objections = objections_of(session, [i.id for i in inspections if i.status == "provisional"])
    return {i.id: status_at(i, objections.get(i.id, []), now) for i in inspections}


def settle(session: Session, inspections: list[Inspection], now: datetime) -> int:
    """Make effective (and lock) the inspections whose window has closed, each claimed by compare-and-set;
    commits, and returns how many. The clock and the mutations (a decision, a late objection) call it: pages
    read `statuses`."""
    provisional = [i for i in inspections if i.status == "provisional"]
    shown, made = statuses(session, provisional, now), 0
    for inspection in provisional:
        if shown[inspection.id] == "effective" and update_if(session, inspection, Inspection.status == "provisional",
                                                             status="effective", effective_at=now):
            audit.record(session, actor=None, action="inspection.effective", obj=inspection,
                         after={"effective_at": now.isoformat()})
            made += 1
    session.commit()
    return made


def _provisional(session: Session, inspection: Inspection, now: datetime) -> None:
    settle(session, [inspection], now)
    if inspection.status == "effective":
        raise InspectionError(_("检查结果已生效,不能再修改。"), status=409)


def raise_objection(session: Session, *, storage, actor: User, deduction: Deduction, reason: str,
                    photos: list[ProcessedPhoto], now: datetime) -> Objection:
    """The project lead objects to one deduction, within the window (photos kept in `storage`); the view
    checked the role."""
    inspection = session.get(Inspection, deduction.inspection_id)
    if now >= inspection.objection_deadline:
        settle(session, [inspection], now)
        raise InspectionError(_("异议期已过(截至 %(deadline)s),不能再提出异议。",
                                deadline=f"{local(inspection.objection_deadline):%Y-%m-%d %H:%M}"), status=409)
    _provisional(session, inspection, now)
    if deduction.withdrawn:
        raise InspectionError(_("这项扣分已撤销,无需异议。"), status=409)
    if session.exec(select(Objection.id).where(Objection.deduction_id == deduction.id)).first():
        raise InspectionError(_("这项扣分已提出过异议。"), status=409)
    reason = required_text(reason, _("异议理由"), MAX_NOTE, error=InspectionError)
    objection = Objection(inspection_id=inspection.id, deduction_id=deduction.id, project_id=inspection.project_id,
                          raised_by=actor.id, raised_at=now, reason=reason)
    session.add(objection)
    try:
        session.flush()
    except IntegrityError:  # a second copy (a double tap) passed the check above at the same moment
        session.rollback()
        raise InspectionError(_("这项扣分已提出过异议。"), status=409) from None
    attach(session, storage, photos, project_id=inspection.project_id, owner_type="inspection_objection",
           owner_id=objection.id, uploaded_by=actor.id, taken_at=now, prefix=f"objections/{objection.id}")
    audit.record(session, actor=actor, action="objection.raise", obj=objection,
                 after={"deduction": deduction.label, "reason": reason, "photos": len(photos)})
    deciders = member_ids(session, inspection.project_id, INSPECTORS)
    notify(session, user_ids=set(deciders) | ({inspection.lead_id} if inspection.lead_id else set()),
           project_id=inspection.project_id, event=notices.OBJECTION_RAISED, params={"label": deduction.label},
           link=link("inspections.detail", inspection_id=inspection.id), key=f"objection:{objection.id}")
    session.commit()
    return objection


def rescore(session: Session, sheet: InspectionSheet) -> None:
    """The sheet's score again, without its withdrawn deductions (caps and veto apply as before)."""
    withdrawn = set(session.exec(select(Deduction.item_key).where(Deduction.sheet_id == sheet.id,
                                                                  Deduction.withdrawn == True)).all())  # noqa: E712
    answers = {k: (("pass", 0) if k in withdrawn else tuple(v)) for k, v in sheet.answers.items()}
    version = get_version(session, sheet.version_id) if sheet.version_id else None
    if version is None:
        raise InspectionError(_("这张检查表的模板已删除,无法重新计分。"), status=409)
    result = scoring.score(version.definition, answers)
    sheet.score, sheet.percentage = result.score, result.percentage
    sheet.by_category, sheet.vetoed = result.by_category, bool(result.vetoed)
    session.add(sheet)


def _withdraw(session: Session, deduction: Deduction) -> None:
    deduction.withdrawn = True
    session.add(deduction)
    item = session.exec(select(Rectification).where(Rectification.deduction_id == deduction.id)).first()
    if item is not None and item.status != "verified":
        ticket = unfinished_ticket(session, item.ticket_id)
        if ticket is not None:
            # Cancelling a repair is the supervisors' call: they are told its cause is gone.
            notify(session, user_ids=[u.id for u in project_leads(session, item.project_id)],
                   project_id=item.project_id, event=notices.TICKET_CAUSE_WITHDRAWN,
                   params={"label": deduction.label, "number": ticket.number},
                   link=link("repairs.ticket", ticket_id=ticket.id), key=f"deduction-withdrawn:{deduction.id}")
        session.delete(item)  # nothing to fix any more
    session.flush()
    rescore(session, session.get(InspectionSheet, deduction.sheet_id))


def decide_objection(session: Session, *, actor: User, objection: Objection, accept: bool, reason: str,
                     now: datetime) -> Objection:
    """An inspector accepts (the points come back) or rejects (with a reason) an objection, once."""
    if objection.status != "pending":
        raise InspectionError(_("这条异议已处理,不能重复处理。"), status=409)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise InspectionError(_("驳回异议须填写理由。"))
    if len(reason) > MAX_NOTE:
        raise InspectionError(_("理由不能超过 %(n)d 字。", n=MAX_NOTE))
    deduction = session.get(Deduction, objection.deduction_id)
    before = {"status": objection.status}
    claim(session, objection, expected="pending", refusal=_("这条异议已处理,不能重复处理。"),
          status="accepted" if accept else "rejected", decided_by=actor.id, decided_at=now, decision_reason=reason)
    if accept:
        _withdraw(session, deduction)
    audit.record(session, actor=actor, action="objection.accept" if accept else "objection.reject", obj=objection,
                 before=before, after={"status": objection.status, "reason": reason, "deduction": deduction.label,
                                       "points": deduction.points})
    if objection.raised_by:
        notify(session, user_ids=[objection.raised_by], project_id=objection.project_id,
               event=notices.OBJECTION_DECIDED, params={"label": deduction.label, "accepted": accept},
               link=link("inspections.detail", inspection_id=objection.inspection_id),
               key=f"objection-decided:{objection.id}")
    session.commit()
    settle(session, [session.get(Inspection, objection.inspection_id)], now)
    return objection


def withdraw_deduction(session: Session, *, actor: User, deduction: Deduction, reason: str, now: datetime) -> None:
    """The inspector takes back a deduction while the result is still provisional."""
    _provisional(session, session.get(Inspection, deduction.inspection_id), now)
    if deduction.withdrawn:
        raise InspectionError(_("这项扣分已撤销。"), status=409)
    if session.exec(select(Objection.id).where(Objection.deduction_id == deduction.id)).first():
        raise InspectionError(_("这项扣分已有异议,请处理异议。"), status=409)
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError(_("请填写撤销理由。"))
    _withdraw(session, deduction)
    audit.record(session, actor=actor, action="deduction.withdraw", obj=deduction,
                 after={"label": deduction.label, "points": deduction.points, "reason": reason[:MAX_NOTE]})
    session.commit()


def pending_counts(session: Session, project_ids: list[int]) -> dict[int, int]:
    """{project id: objections awaiting a decision}, with one grouped query."""
    return count_by(session, Objection.project_id, project_ids, Objection.status == "pending")


def provisional_counts(session: Session, project_ids: list[int], now: datetime) -> dict[int, int]:
    """{project id: inspections still within their objection window at `now`}, as the pages show them (one
    whose window has passed counts no more, before the clock has made it effective): two queries in all."""
    waiting = session.exec(select(Inspection).where(among(Inspection.project_id, project_ids),
                                                    Inspection.status == "provisional")).all() if project_ids else []
    shown, counts = statuses(session, waiting, now), {}
    for inspection in waiting:
        if shown[inspection.id] == "provisional":
            counts[inspection.project_id] = counts.get(inspection.project_id, 0) + 1
    return counts


def closing_between(session: Session, project_ids: list[int], now: datetime, until: datetime) -> list[Inspection]:
    """The inspections of many projects still open to objections whose window closes in [now, until)."""
    if not project_ids:
        return []
    found = session.exec(select(Inspection).where(
        among(Inspection.project_id, project_ids), Inspection.status == "provisional",
        Inspection.objection_deadline >= now, Inspection.objection_deadline < until)
        .order_by(Inspection.objection_deadline, Inspection.id)).all()
    shown = statuses(session, found, now)
    return [i for i in found if shown[i.id] == "provisional"]
