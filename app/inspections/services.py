"""Inspections: the settings, scoring a visit (from the outbox) and reading its result.

Objections and their window live in `objections.py`, rectification items after the visit in `rectification.py`.

Who does what (roles of the project; company admins may do everything):
- an **inspector** (品质部) scores, decides objections and verifies rectification items. Any inspector of
  the project decides, not only the one who led the visit: the quality team shares the work, and an
  objection must not wait for one person's leave.
- a **supervisor** of the project is its project lead (项目负责人): told of the result the same day,
  objects within the window, owns the rectification items unless someone else is named.
"""
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import members
from app.checklists.definition import format_points, iter_items
from app.checklists.models import ChecklistTemplate, ChecklistVersion
from app.checklists.services import current_version, get_version, posted_template, posted_version, templates_stmt
from app.core import audit
from app.core.db import among, local, update_if, zone
from app.core.notifications import link, notify
from app.core.photos import ProcessedPhoto, attach
from app.core.refusal import Refusal
from app.core.validation import whole
from app.inspections import notices, scoring
from app.inspections.models import (
    Deduction,
    Inspection,
    InspectionSettings,
    InspectionSheet,
    Rectification,
)
from app.projects.models import Project
from app.projects.services import organisation_projects
from app.repairs.services import open_ticket

INSPECTORS = ("inspector",)
LEADS = ("supervisor",)
MAX_NOTE = 500
# Rectification due by severity: a veto failure at once, a heavy deduction within days, the rest in a week.
DUE_DAYS_VETO, DUE_DAYS_HEAVY, DUE_DAYS_LIGHT = 1, 3, 7
HEAVY_POINTS = 5


class InspectionError(Refusal):
    """A refusal of the inspections (objection window closed, decided twice…), shown to the user as it is."""


# -- settings ---------------------------------------------------------------------------------------

def settings_for(session: Session, organisation_id: int) -> InspectionSettings:
    return session.get(InspectionSettings, organisation_id) or InspectionSettings(organisation_id=organisation_id)


def save_settings(session: Session, *, actor: User, organisation_id: int, objection_days, close_day
                  ) -> InspectionSettings:
    days = whole(objection_days, _("异议期(天)"), 1, 30, error=InspectionError)
    close = whole(close_day, _("月度排名截止日"), 1, 31, error=InspectionError)
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
    return members(session, project_id, LEADS)


def claim(session: Session, obj, *, expected: str, refusal: str, **values) -> None:
    """Change a row only if its status in the database is still `expected`, else refuse with 409: two
    submissions (a double tap, two people) both saw it `expected`; the second one's update finds nothing."""
    if not update_if(session, obj, type(obj).status == expected, **values):
        session.rollback()
        raise InspectionError(refusal, status=409)


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


def _chosen_sheets(session: Session, project: Project, data: dict) -> list[tuple[ChecklistTemplate, ChecklistVersion]]:
    chosen = []
    for name, value in data.items():
        if not name.startswith("sheet-") or not str(value).strip():
            continue
        template = posted_template(session, name[6:])
        version = posted_version(session, value)
        if (template is None or version is None or version.template_id != template.id or not template.is_score_sheet
                or not version.definition.get("score_sheet")  # an old version from before it became one
                or template.organisation_id != project.organisation_id):
            raise InspectionError(_("所选检查表已不存在,请刷新页面后重新评分。"), {name: _("未知检查表")})
        chosen.append((template, version))
    if not chosen:
        raise InspectionError(_("请至少选择一张检查表。"), {"sheets": _("未选择检查表")})
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


def create_inspection(session: Session, *, storage, actor: User, project: Project, data: dict,
                      photos_of: Callable[[str], list[ProcessedPhoto]], inspected_at: datetime,
                      photo_prefix: str, received_at: datetime | None = None) -> Inspection:
    """Validate everything first, then add the rows and store the photos in `storage` (nothing is committed
    here: the caller commits).

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
        raise InspectionError(messages[0] + more, problems)

    days = settings_for(session, project.organisation_id).objection_days
    received_at = max(inspected_at, received_at or inspected_at)
    inspection = Inspection(project_id=project.id, lead_id=actor.id, marketing_rep=marketing,
                            property_rep=property_rep, note=str(data.get("note", "")).strip()[:MAX_NOTE],
                            inspected_at=inspected_at, received_at=received_at,
                            objection_deadline=received_at + timedelta(days=days))
    session.add(inspection)
    session.flush()
    leads = project_leads(session, project.id)
    owner = min(leads, key=lambda user: user.id, default=None)  # the longest-standing lead owns the items
    scores = []
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
                _add_deduction(session, storage=storage, inspection=inspection, sheet=sheet, item=item, answers=answers,
                               amount=result.deductions[item["key"]], note=notes.get(item["key"], ""), owner=owner,
                               photos=photos_of(f"v{version.id}-photo-{item['key']}"),
                               photo_prefix=f"{photo_prefix}/v{version.id}-{item['key']}", actor=actor)
        scores.append([sheet.name, format_points(sheet.score)])
    for item in closed:
        item.status, item.verified_at, item.verified_by = "verified", inspected_at, actor.id
        session.add(item)
    for item in still_open:
        item.times_found_open += 1
        session.add(item)
    audit.record(session, actor=actor, action="inspection.submit", obj=inspection,
                 after={"sheets": [f"{name} {points}" for name, points in scores], "verified": [i.id for i in closed],
                        "not_closed": [i.id for i in still_open]})
    deadline = local(inspection.objection_deadline)
    notify(session, user_ids=[u.id for u in leads], project_id=project.id, event=notices.RESULT,
           params={"project": project.name, "scores": scores, "deadline": f"{deadline:%m-%d %H:%M}"},
           link=link("inspections.detail", inspection_id=inspection.id), key=f"inspection:{inspection.id}")
    return inspection


def _add_deduction(session, *, storage, inspection, sheet, item, answers, amount, note, owner, photos, photo_prefix,
                   actor):
    deduction = Deduction(inspection_id=inspection.id, sheet_id=sheet.id, project_id=inspection.project_id,
                          item_key=item["key"], label=item["label"], category=item["category"],
                          count=answers[item["key"]][1], points=amount, veto=item["veto"], note=note)
    session.add(deduction)
    session.flush()
    attach(session, storage, photos, project_id=inspection.project_id, owner_type="inspection_deduction",
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
                             photo_prefix=f"{photo_prefix}-ticket", storage=storage)
        rectification.ticket_id = ticket.id
    session.add(rectification)


# -- reading an inspection --------------------------------------------------------------------------

def inspections_stmt(project_id: int):
    return select(Inspection).where(Inspection.project_id == project_id).order_by(Inspection.inspected_at.desc())


def by_inspection(session: Session, model, inspection_ids, order) -> dict[int, list]:
    """The rows of `model` (sheets, objections) of many inspections in one query, by inspection id."""
    out: dict[int, list] = {}
    ids = list(inspection_ids)
    if ids:
        for row in session.exec(select(model).where(model.inspection_id.in_(ids)).order_by(order)).all():
            out.setdefault(row.inspection_id, []).append(row)
    return out


def sheets_of(session: Session, inspection_ids) -> dict[int, list[InspectionSheet]]:
    return by_inspection(session, InspectionSheet, inspection_ids, InspectionSheet.name)


def deductions_between(session: Session, organisation_id: int, start: datetime, end: datetime
                       ) -> list[tuple[Deduction, Inspection, Project]]:
    """(deduction, inspection, project) of every site's inspections in [start, end), by site and time."""
    projects = {p.id: p for p in organisation_projects(session, organisation_id, active_only=False)}
    rank = {project_id: i for i, project_id in enumerate(projects)}  # by name
    rows = session.exec(select(Deduction, Inspection).join(Inspection, Inspection.id == Deduction.inspection_id)
                        .where(Inspection.project_id.in_(list(projects)), Inspection.inspected_at >= start,
                               Inspection.inspected_at < end).order_by(Inspection.inspected_at, Deduction.id)).all()
    return [(d, i, projects[i.project_id]) for d, i in sorted(rows, key=lambda row: rank[row[1].project_id])]


def deductions_of(session: Session, inspection: Inspection) -> list[Deduction]:
    return session.exec(select(Deduction).where(Deduction.inspection_id == inspection.id)
                        .order_by(Deduction.sheet_id, Deduction.id)).all()


def categories_of(session: Session, sheet: InspectionSheet) -> list[tuple[str, float, float]]:
    """(category, points available, points deducted) in the order of the sheet."""
    version = get_version(session, sheet.version_id) if sheet.version_id else None
    if version is None:  # the template went with its organisation: what was deducted is still known
        return [(name or _("其他"), 0, points) for name, points in sheet.by_category.items()]
    definition = version.definition
    available: dict[str, float] = {}
    for _n, item in iter_items(definition):
        available[item["category"]] = available.get(item["category"], 0) + item["points"]
    caps = definition.get("category_caps") or {}
    return [(name or _("其他"), min(points, caps.get(name, points)), sheet.by_category.get(name, 0))
            for name, points in available.items()]


def last_sheet_scores(session: Session, project_ids: list[int]) -> dict[int, list[tuple[float, float]]]:
    """{project id: (score, base score) of each sheet of its latest inspection, by sheet name}, in one query of
    four columns (no inspection or sheet object made: an admin's home reads 500 sites')."""
    if not project_ids:
        return {}
    newest = (select(Inspection.project_id, sa.func.max(Inspection.inspected_at).label("at"))
              .where(among(Inspection.project_id, project_ids)).group_by(Inspection.project_id).subquery())
    rows = session.exec(select(Inspection.project_id, Inspection.id, InspectionSheet.score, InspectionSheet.base_score)
                        .join(newest, (Inspection.project_id == newest.c.project_id)
                              & (Inspection.inspected_at == newest.c.at))
                        .join(InspectionSheet, InspectionSheet.inspection_id == Inspection.id)
                        .order_by(Inspection.id, InspectionSheet.name)).all()
    latest = {project_id: inspection_id for project_id, inspection_id, _s, _b in rows}  # the newest wins a tie
    out: dict[int, list[tuple[float, float]]] = {}
    for project_id, inspection_id, score, base in rows:
        if latest[project_id] == inspection_id:
            out.setdefault(project_id, []).append((score, base))
    return out
