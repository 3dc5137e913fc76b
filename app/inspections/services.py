"""Inspections: scoring a visit (from the outbox), objections and their window, rectification, the settings.

Who does what (roles of the project; company admins may do everything):
- an **inspector** (品质部) scores, decides objections and verifies rectification items. Any inspector of
  the project decides, not only the one who led the visit: the quality team shares the work, and an
  objection must not wait for one person's leave.
- a **supervisor** of the project is its project lead (项目负责人): told of the result the same day,
  objects within the window, owns the rectification items unless someone else is named.
"""
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Membership, User
from app.checklists.definition import format_points, iter_items
from app.checklists.models import ChecklistTemplate, ChecklistVersion
from app.checklists.services import current_version, templates_stmt
from app.core import audit
from app.core.db import local, update_if, utcnow, zone
from app.core.notifications import notify
from app.core.photos import ProcessedPhoto, attach
from app.core.storage import storage
from app.inspections import scoring
from app.inspections.models import (
    Deduction,
    Inspection,
    InspectionSettings,
    InspectionSheet,
    Objection,
    Rectification,
)
from app.projects.models import Project
from app.repairs.services import open_ticket, unfinished_ticket
from app.sync.services import RecordRefused, Submission

INSPECTORS = ("inspector",)
LEADS = ("supervisor",)
MAX_NOTE = 500
# Rectification due by severity: a veto failure at once, a heavy deduction within days, the rest in a week.
DUE_DAYS_VETO, DUE_DAYS_HEAVY, DUE_DAYS_LIGHT = 1, 3, 7
HEAVY_POINTS = 5


class InspectionError(ValueError):
    """A refusal to show the user (already translated); `status` is the HTTP status it answers with."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


# -- settings ---------------------------------------------------------------------------------------

def settings_for(session: Session, organisation_id: int) -> InspectionSettings:
    return session.get(InspectionSettings, organisation_id) or InspectionSettings(organisation_id=organisation_id)


def _whole(raw, label: str, low: int, high: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise InspectionError(_("%(label)s须为整数。", label=label)) from None
    if not low <= value <= high:
        raise InspectionError(_("%(label)s须在 %(low)d 到 %(high)d 之间。", label=label, low=low, high=high))
    return value


def save_settings(session: Session, *, actor: User, organisation_id: int, objection_days, close_day
                  ) -> InspectionSettings:
    days = _whole(objection_days, _("异议期(天)"), 1, 30)
    close = _whole(close_day, _("月度排名截止日"), 1, 31)
    settings = settings_for(session, organisation_id)
    before = {"objection_days": settings.objection_days, "close_day": settings.close_day}
    settings.objection_days, settings.close_day = days, close
    session.add(settings)
    audit.record(session, actor=actor, action="inspection.settings", obj=settings, before=before,
                 after={"objection_days": days, "close_day": close}, organisation_id=organisation_id)
    session.commit()
    return settings


# -- sheets and the form ----------------------------------------------------------------------------

def score_sheets(session: Session, organisation_id: int) -> list[tuple[ChecklistTemplate, ChecklistVersion]]:
    """The organisation's score sheets with the version a new inspection is scored on."""
    templates = session.exec(templates_stmt(organisation_id, "inspection")).all()
    return [(t, current_version(session, t)) for t in templates if t.is_score_sheet]


def open_rectifications(session: Session, project_id: int) -> list[Rectification]:
    """Items of earlier inspections not yet verified closed: the next inspection checks each of them."""
    return session.exec(select(Rectification).where(Rectification.project_id == project_id,
                                                    Rectification.status.in_(("open", "closed")))
                        .order_by(Rectification.due_at, Rectification.id)).all()


def project_leads(session: Session, project_id: int) -> list[User]:
    return session.exec(select(User).join(Membership, Membership.user_id == User.id)
                        .where(Membership.project_id == project_id, Membership.role.in_(LEADS),
                               User.active == True).order_by(User.id)).all()  # noqa: E712


def rectification_due(inspected_at: datetime, *, veto: bool, points: float) -> datetime:
    """The end of the local day N days after the visit: the item shows its due date as a day (期限 11-17),
    so it must not turn overdue at the visit's hour on that day."""
    days = DUE_DAYS_VETO if veto else DUE_DAYS_HEAVY if points >= HEAVY_POINTS else DUE_DAYS_LIGHT
    day = local(inspected_at).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone()).astimezone(timezone.utc)


# -- scoring a visit ------------------------------------------------------------------------------------

def _count(raw) -> int:
    try:
        return int(str(raw).strip() or "1")
    except ValueError:
        return 0  # refused below as "at least 1"


def _read_sheet(definition: dict, prefix: str, data: dict, photo_count: Callable[[str], int],
                found_open: int) -> tuple[dict, dict, dict]:
    """(answers, notes, problems) of one sheet from the posted fields; problems map field names to messages."""
    answers, notes, problems = {}, {}, {}
    for number, item in iter_items(definition):
        key, field = item["key"], f"{prefix}item-{item['key']}"
        if item.get("last_time"):  # filled in from last time's items found not closed, not by hand
            count = min(found_open, scoring.max_count(item))
            answers[key] = ("fail", count) if count else ("pass", 0)
            continue
        result = str(data.get(field, "")).strip()
        count = _count(data.get(f"{prefix}count-{key}", "1")) if item["repeatable"] else 1
        problem = None
        if not result:
            problem = _("须选择合格、不合格或不适用。")
        else:
            problem = scoring.check_answer(item, result, count)
        if not problem and result == "fail" and photo_count(f"{prefix}photo-{key}") == 0:
            problem = _("扣分须拍照取证。")
        if problem:
            problems[field] = _("第 %(n)d 项“%(label)s”%(problem)s", n=number, label=item["label"], problem=problem)
            continue
        answers[key] = (result, count)
        note = str(data.get(f"{prefix}note-{key}", "")).strip()
        if note and result == "fail":
            notes[key] = note[:MAX_NOTE]
    return answers, notes, problems


def _row_id(raw) -> int | None:
    """An id posted by the page, or None; one beyond a database integer would fail the query itself (a 500)."""
    text = str(raw).strip()
    return int(text) if text.isdecimal() and int(text) < 2**31 else None


def _chosen_sheets(session: Session, project: Project, data: dict) -> list[tuple[ChecklistTemplate, ChecklistVersion]]:
    chosen = []
    for name, value in data.items():
        if not name.startswith("sheet-") or not str(value).strip():
            continue
        template_id, version_id = _row_id(name[6:]), _row_id(value)
        template = session.get(ChecklistTemplate, template_id) if template_id is not None else None
        version = session.get(ChecklistVersion, version_id) if version_id is not None else None
        if (template is None or version is None or version.template_id != template.id or not template.is_score_sheet
                or not version.definition.get("score_sheet")  # an old version from before it became one
                or template.organisation_id != project.organisation_id):
            raise RecordRefused(_("所选检查表已不存在,请刷新页面后重新评分。"), {name: _("未知检查表")})
        chosen.append((template, version))
    if not chosen:
        raise RecordRefused(_("请至少选择一张检查表。"), {"sheets": _("未选择检查表")})
    return sorted(chosen, key=lambda pair: pair[0].name)


def _last_time(session: Session, project: Project, data: dict) -> tuple[list[Rectification], list[Rectification]]:
    """Last time's items as the inspector found them: (closed, not closed). Items created after the page
    was opened (not in the form) are left for the next inspection."""
    closed, still_open = [], []
    for item in open_rectifications(session, project.id):
        answer = str(data.get(f"prior-{item.id}", "")).strip()
        if answer == "closed":
            closed.append(item)
        elif answer == "open":
            still_open.append(item)
    return closed, still_open


def record_inspection(session: Session, submission: Submission) -> dict:
    """The `inspection` record kind: a whole visit, every sheet scored, with the photos of each deduction."""
    inspection = create_inspection(session, actor=submission.user, project=submission.project, data=submission.data,
                                   photos_of=submission.photos_of, inspected_at=submission.client_time,
                                   received_at=utcnow(), photo_prefix=f"inspections/{submission.project.id}/{submission.client_id}")
    sheets = session.exec(select(InspectionSheet).where(InspectionSheet.inspection_id == inspection.id)).all()
    return {"id": inspection.id, "url": url_for("inspections.detail", inspection_id=inspection.id),
            "scores": {s.name: s.score for s in sheets}}


def create_inspection(session: Session, *, actor: User, project: Project, data: dict,
                      photos_of: Callable[[str], list[ProcessedPhoto]], inspected_at: datetime,
                      photo_prefix: str, received_at: datetime | None = None) -> Inspection:
    """Validate everything first, then add the rows (nothing is committed here: the caller commits).

    The objection window runs from when the result reaches the server and the project lead is told
    (`received_at`), not from the visit: a tablet that stayed offline for days must not deliver a
    result whose window has already closed."""
    chosen = _chosen_sheets(session, project, data)
    closed, still_open = _last_time(session, project, data)
    found_open = {}
    for item in still_open:
        found_open[item.template_id] = found_open.get(item.template_id, 0) + 1
    marketing = str(data.get("marketing_rep", "")).strip()
    property_rep = str(data.get("property_rep", "")).strip()
    problems = {}
    if len(marketing) > 60:
        problems["marketing_rep"] = _("营销代表姓名不能超过 60 字。")
    if len(property_rep) > 60:
        problems["property_rep"] = _("物业代表姓名不能超过 60 字。")
    read = []
    for template, version in chosen:
        prefix = f"v{version.id}-"
        answers, notes, sheet_problems = _read_sheet(version.definition, prefix, data,
                                                     lambda name: len(photos_of(name)), found_open.get(template.id, 0))
        problems.update({f: f"{version.definition['name']}:{m}" for f, m in sheet_problems.items()})
        read.append((template, version, answers, notes))
    if problems:
        messages = list(problems.values())
        more = _(" 另有 %(n)d 项须修改。", n=len(messages) - 1) if len(messages) > 1 else ""
        raise RecordRefused(messages[0] + more, problems)

    days = settings_for(session, project.organisation_id).objection_days
    received_at = max(inspected_at, received_at or inspected_at)
    inspection = Inspection(project_id=project.id, lead_id=actor.id, marketing_rep=marketing,
                            property_rep=property_rep, note=str(data.get("note", "")).strip()[:MAX_NOTE],
                            inspected_at=inspected_at, received_at=received_at,
                            objection_deadline=received_at + timedelta(days=days))
    session.add(inspection)
    session.flush()
    owner = next(iter(project_leads(session, project.id)), None)
    summary = []
    for template, version, answers, notes in read:
        definition = version.definition
        result = scoring.score(definition, answers)
        sheet = InspectionSheet(inspection_id=inspection.id, project_id=project.id, template_id=template.id,
                                version_id=version.id, name=definition["name"], base_score=definition["base_score"],
                                answers={k: list(v) for k, v in answers.items()}, original_score=result.score,
                                score=result.score, percentage=result.percentage, by_category=result.by_category,
                                vetoed=bool(result.vetoed))
        session.add(sheet)
        session.flush()
        for _n, item in iter_items(definition):
            if item["key"] in result.deductions:
                _add_deduction(session, inspection=inspection, sheet=sheet, item=item, answers=answers,
                               amount=result.deductions[item["key"]], note=notes.get(item["key"], ""), owner=owner,
                               photos=photos_of(f"v{version.id}-photo-{item['key']}"),
                               photo_prefix=f"{photo_prefix}/v{version.id}-{item['key']}", actor=actor)
        summary.append(f"{sheet.name} {format_points(sheet.score)}")
    for item in closed:
        item.status, item.verified_at, item.verified_by = "verified", inspected_at, actor.id
        session.add(item)
    for item in still_open:
        item.times_found_open += 1
        session.add(item)
    audit.record(session, actor=actor, action="inspection.submit", obj=inspection,
                 after={"sheets": summary, "verified": [i.id for i in closed], "not_closed": [i.id for i in still_open]})
    deadline = local(inspection.objection_deadline)
    notify(session, user_ids=[u.id for u in project_leads(session, project.id)], project_id=project.id,
           text=_("%(project)s 检查结果(暂定):%(scores)s。如有异议,请在 %(deadline)s 前提出。", project=project.name,
                  scores=",".join(summary), deadline=f"{deadline:%m-%d %H:%M}"),
           url=url_for("inspections.detail", inspection_id=inspection.id), key=f"inspection:{inspection.id}")
    return inspection


def _add_deduction(session, *, inspection, sheet, item, answers, amount, note, owner, photos, photo_prefix, actor):
    deduction = Deduction(inspection_id=inspection.id, sheet_id=sheet.id, project_id=inspection.project_id,
                          item_key=item["key"], label=item["label"], category=item["category"],
                          count=answers[item["key"]][1], points=amount, veto=item["veto"], note=note)
    session.add(deduction)
    session.flush()
    attach(session, storage(), photos, project_id=inspection.project_id, owner_type="inspection_deduction",
           owner_id=deduction.id, uploaded_by=actor.id, taken_at=inspection.inspected_at, prefix=photo_prefix)
    if item.get("last_time"):
        return  # the items found not closed stay open themselves; no second item for the same problem
    rectification = Rectification(project_id=inspection.project_id, inspection_id=inspection.id,
                                  deduction_id=deduction.id, template_id=sheet.template_id, label=item["label"],
                                  note=note, owner_id=owner.id if owner else None,
                                  due_at=rectification_due(inspection.inspected_at, veto=item["veto"], points=amount))
    if item["creates_ticket"]:
        ticket = open_ticket(session, user=actor, project_id=inspection.project_id, source="inspection",
                             description=f"{item['label']}:{_('检查扣分')}" + (f"。{note}" if note else ""),
                             reported_at=inspection.inspected_at, photos=photos,
                             photo_prefix=f"{photo_prefix}-ticket")
        rectification.ticket_id = ticket.id
    session.add(rectification)


def _claim(session: Session, obj, *, expected: str, refusal: str, **values) -> None:
    """Change a row only if its status in the database is still `expected`, else refuse with 409: two
    requests (a double tap, two people) both saw it `expected`; the second one's update finds nothing."""
    if not update_if(session, obj, type(obj).status == expected, **values):
        session.rollback()
        raise InspectionError(refusal, status=409)


# -- the objection window -------------------------------------------------------------------------

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
    out: dict[int, list[Objection]] = {}
    ids = list(inspection_ids)
    if ids:
        for objection in session.exec(select(Objection).where(Objection.inspection_id.in_(ids))
                                      .order_by(Objection.id)).all():
            out.setdefault(objection.inspection_id, []).append(objection)
    return out


def settle(session: Session, inspections: list[Inspection], now: datetime) -> None:
    """Make effective (and lock) the inspections whose window has closed; commits if any changed."""
    provisional = [i for i in inspections if i.status == "provisional"]
    objections = objections_of(session, [i.id for i in provisional])
    changed = False
    for inspection in provisional:
        if status_at(inspection, objections.get(inspection.id, []), now) == "effective":
            inspection.status, inspection.effective_at = "effective", now
            session.add(inspection)
            audit.record(session, actor=None, action="inspection.effective", obj=inspection,
                         after={"effective_at": now.isoformat()})
            changed = True
    if changed:
        session.commit()


def _provisional(session: Session, inspection: Inspection, now: datetime) -> None:
    settle(session, [inspection], now)
    if inspection.status == "effective":
        raise InspectionError(_("检查结果已生效,不能再修改。"), status=409)


def raise_objection(session: Session, *, actor: User, deduction: Deduction, reason: str,
                    photos: list[ProcessedPhoto], now: datetime) -> Objection:
    """The project lead objects to one deduction, within the window; the view checked the role."""
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
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError(_("请填写异议理由。"))
    if len(reason) > MAX_NOTE:
        raise InspectionError(_("异议理由不能超过 %(n)d 字。", n=MAX_NOTE))
    objection = Objection(inspection_id=inspection.id, deduction_id=deduction.id, project_id=inspection.project_id,
                          raised_by=actor.id, raised_at=now, reason=reason)
    session.add(objection)
    try:
        session.flush()
    except IntegrityError:  # a second copy (a double tap) passed the check above at the same moment
        session.rollback()
        raise InspectionError(_("这项扣分已提出过异议。"), status=409) from None
    attach(session, storage(), photos, project_id=inspection.project_id, owner_type="inspection_objection",
           owner_id=objection.id, uploaded_by=actor.id, taken_at=now, prefix=f"objections/{objection.id}")
    audit.record(session, actor=actor, action="objection.raise", obj=objection,
                 after={"deduction": deduction.label, "reason": reason, "photos": len(photos)})
    deciders = session.exec(select(Membership.user_id).where(Membership.project_id == inspection.project_id,
                                                             Membership.role.in_(INSPECTORS))).all()
    notify(session, user_ids=set(deciders) | ({inspection.lead_id} if inspection.lead_id else set()),
           project_id=inspection.project_id, text=_("对扣分项“%(label)s”的异议待处理。", label=deduction.label),
           url=url_for("inspections.detail", inspection_id=inspection.id), key=f"objection:{objection.id}")
    session.commit()
    return objection


def rescore(session: Session, sheet: InspectionSheet) -> None:
    """The sheet's score again, without its withdrawn deductions (caps and veto apply as before)."""
    withdrawn = set(session.exec(select(Deduction.item_key).where(Deduction.sheet_id == sheet.id,
                                                                  Deduction.withdrawn == True)).all())  # noqa: E712
    answers = {k: (("pass", 0) if k in withdrawn else tuple(v)) for k, v in sheet.answers.items()}
    version = session.get(ChecklistVersion, sheet.version_id) if sheet.version_id else None
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
                   project_id=item.project_id, url=url_for("repairs.ticket", ticket_id=ticket.id),
                   text=_("扣分“%(label)s”已撤销,由它生成的报修单 %(number)s 如已不需要,请取消。",
                          label=deduction.label, number=ticket.number),
                   key=f"deduction-withdrawn:{deduction.id}")
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
    _claim(session, objection, expected="pending", refusal=_("这条异议已处理,不能重复处理。"),
           status="accepted" if accept else "rejected", decided_by=actor.id, decided_at=now, decision_reason=reason)
    if accept:
        _withdraw(session, deduction)
    audit.record(session, actor=actor, action="objection.accept" if accept else "objection.reject", obj=objection,
                 before=before, after={"status": objection.status, "reason": reason, "deduction": deduction.label,
                                       "points": deduction.points})
    if objection.raised_by:
        verdict = _("已采纳,分数已恢复") if accept else _("未采纳")
        notify(session, user_ids=[objection.raised_by], project_id=objection.project_id,
               text=_("您对“%(label)s”的异议%(verdict)s。", label=deduction.label, verdict=verdict),
               url=url_for("inspections.detail", inspection_id=objection.inspection_id),
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


# -- rectification ----------------------------------------------------------------------------------

def close_rectification(session: Session, *, actor: User, item: Rectification, note: str,
                        photos: list[ProcessedPhoto], now: datetime) -> Rectification:
    """The owner reports the problem fixed, with an after-photo; the inspector then verifies it."""
    if item.status != "open":
        raise InspectionError(_("这项整改已提交,不能重复提交。"), status=409)
    note = (note or "").strip()
    if not photos:
        raise InspectionError(_("请拍摄整改后的照片。"))
    if not note:
        raise InspectionError(_("请填写整改说明。"))
    _claim(session, item, expected="open", refusal=_("这项整改已提交,不能重复提交。"),
           status="closed", closed_at=now, closed_by=actor.id, close_note=note[:MAX_NOTE])
    attach(session, storage(), photos, project_id=item.project_id, owner_type="rectification", owner_id=item.id,
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
    _claim(session, item, expected="closed", refusal=_("只有已提交整改的项才能验证。"),
           status="verified" if accept else "open", verified_at=now if accept else None,
           verified_by=actor.id if accept else None)
    audit.record(session, actor=actor, action="rectification.verify" if accept else "rectification.reopen",
                 obj=item, before={"status": "closed"}, after={"status": item.status})
    if not accept and item.owner_id:
        notify(session, user_ids=[item.owner_id], project_id=item.project_id,
               text=_("整改“%(label)s”未通过验证,请重新整改。", label=item.label),
               url=url_for("inspections.rectifications", project_id=item.project_id))
    session.commit()
    return item


def notify_overdue(session: Session, user: User, now: datetime) -> None:
    """Tell an owner once about each of their rectification items past its due date (run when the bell is polled)."""
    for item in session.exec(select(Rectification).where(Rectification.owner_id == user.id,
                                                         Rectification.status == "open", Rectification.due_at < now)):
        notify(session, user_ids=[user.id], project_id=item.project_id,
               text=_("整改项“%(label)s”已逾期", label=item.label),
               url=url_for("inspections.rectifications", project_id=item.project_id),
               key=f"rectification-overdue:{item.id}")



def rectifications_stmt(project_id: int):
    return (select(Rectification).where(Rectification.project_id == project_id)
            .order_by(Rectification.status != "open", Rectification.due_at, Rectification.id))


def overdue(item: Rectification, now: datetime) -> bool:
    return item.status == "open" and item.due_at < now


# -- reading an inspection --------------------------------------------------------------------------

def inspections_stmt(project_id: int):
    return select(Inspection).where(Inspection.project_id == project_id).order_by(Inspection.inspected_at.desc())


def sheets_of(session: Session, inspection_ids) -> dict[int, list[InspectionSheet]]:
    out: dict[int, list[InspectionSheet]] = {}
    ids = list(inspection_ids)
    if ids:
        for sheet in session.exec(select(InspectionSheet).where(InspectionSheet.inspection_id.in_(ids))
                                  .order_by(InspectionSheet.name)).all():
            out.setdefault(sheet.inspection_id, []).append(sheet)
    return out


def deductions_of(session: Session, inspection: Inspection) -> list[Deduction]:
    return session.exec(select(Deduction).where(Deduction.inspection_id == inspection.id)
                        .order_by(Deduction.sheet_id, Deduction.id)).all()


def rectifications_of(session: Session, inspection: Inspection) -> list[Rectification]:
    return session.exec(select(Rectification).where(Rectification.inspection_id == inspection.id)
                        .order_by(Rectification.id)).all()


def categories_of(session: Session, sheet: InspectionSheet) -> list[tuple[str, float, float]]:
    """(category, points available, points deducted) in the order of the sheet."""
    version = session.get(ChecklistVersion, sheet.version_id) if sheet.version_id else None
    if version is None:  # the template went with its organisation: what was deducted is still known
        return [(name or _("其他"), 0, points) for name, points in sheet.by_category.items()]
    definition = version.definition
    available: dict[str, float] = {}
    for _n, item in iter_items(definition):
        available[item["category"]] = available.get(item["category"], 0) + item["points"]
    caps = definition.get("category_caps") or {}
    return [(name or _("其他"), min(points, caps.get(name, points)), sheet.by_category.get(name, 0))
            for name, points in available.items()]
