"""The tickets of a project as a spreadsheet: one row per ticket with its service times, its targets and its callback.

Rows are read as plain column tuples in batches (no ORM objects) and yielded one by one, so 50,000 tickets
stream into the workbook in bounded memory.
"""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app.accounts.services import users_by_id
from app.projects.models import Project
from app.repairs.figures import INTAKE_LABELS, csv_rows
from app.repairs.models import Ticket
from app.repairs.services import CONTACT_ROLES, STATUS_LABELS, mask, settings_for
from app.repairs.workflow import SATISFIED
from app.reports.xlsx_export import Column, Sheet

SEVERITY_LABELS = {"minor": _l("小修"), "medium": _l("中修"), "major": _l("大修")}
COLUMNS = (Ticket.number, Ticket.status, Ticket.category, Ticket.severity, Ticket.urgent, Ticket.channel,
           Ticket.source, Ticket.location, Ticket.unit_label, Ticket.description, Ticket.reporter_name,
           Ticket.reporter_phone, Ticket.reported_at, Ticket.created_at, Ticket.dispatched_at, Ticket.assignee_id,
           Ticket.started_at, Ticket.finished_at, Ticket.due_at, Ticket.work_note, Ticket.materials,
           Ticket.callback_at, Ticket.callback_reached, Ticket.satisfaction, Ticket.callback_comment,
           Ticket.closed_at, Ticket.reopen_count, Ticket.reason)
BATCH = 2000


def header() -> list:
    return [_("编号"), _("状态"), _("类别"), _("程度"), _("紧急"), _("来源"), _("位置"), _("房号"), _("问题描述"),
            _("报修人"), _("联系电话"), _("报修时间"), _("登记时间"), _("派单时限"), _("派单时间"),
            Column(_("派单用时(分钟)"), "0.0"), _("派单达标"), _("维修人"), _("开始处理"), _("完工时间"),
            _("完工时限"), _("按时完成"), _("处理说明"), _("用料"), _("回访时间"), _("回访接通"), _("满意度"),
            _("满意"), _("回访意见"), _("关闭时间"), _("重开次数"), _("原因")]


def ticket_rows(session: Session, project: Project, *, reader_roles: set[str], statuses=None,
                category: str | None = None, start: datetime | None = None, end: datetime | None = None):
    """The rows of `ticket_sheet`, newest first; the reporter's contact masked unless the reader may call back."""
    settings = settings_for(session, project.id)
    dispatch_target = timedelta(minutes=settings.dispatch_minutes)
    whole_contact = bool(reader_roles & CONTACT_ROLES)
    stmt = select(*COLUMNS).where(Ticket.project_id == project.id)
    if statuses:
        stmt = stmt.where(Ticket.status.in_(statuses))
    if category:
        stmt = stmt.where(Ticket.category == category)
    if start and end:
        stmt = stmt.where(Ticket.created_at >= start, Ticket.created_at < end)
    stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    # Labels translated once, not once a cell: gettext per cell was most of the time of 50,000 rows.
    labels = {"status": {k: str(v) for k, v in STATUS_LABELS.items()},
              "severity": {k: str(v) for k, v in SEVERITY_LABELS.items()},
              "intake": {k: str(v) for k, v in INTAKE_LABELS.items()}, "yes": {True: _("是"), False: _("否"), None: ""}}
    names: dict = {}
    batch = []
    for row in session.exec(stmt.execution_options(yield_per=BATCH)):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _rows(session, batch, names, whole_contact, dispatch_target, labels)
            batch = []
    yield from _rows(session, batch, names, whole_contact, dispatch_target, labels)


def _rows(session, batch, names, whole_contact, dispatch_target, labels):
    statuses, severities, intakes, yes = labels["status"], labels["severity"], labels["intake"], labels["yes"]
    wanted = {r.assignee_id for r in batch if r.assignee_id and r.assignee_id not in names}
    names.update({i: u.display_name for i, u in users_by_id(session, wanted).items()})
    for r in batch:
        dispatch_due = r.created_at + dispatch_target
        waited = (r.dispatched_at - r.created_at).total_seconds() / 60 if r.dispatched_at else None
        on_time = r.finished_at <= r.due_at if r.finished_at and r.due_at else None
        satisfied = r.satisfaction >= SATISFIED if r.satisfaction else None
        name, phone = (r.reporter_name, r.reporter_phone) if whole_contact else (mask(r.reporter_name),
                                                                                 mask(r.reporter_phone))
        yield [r.number, statuses.get(r.status, r.status), r.category, severities.get(r.severity, r.severity),
               yes[bool(r.urgent)], intakes.get(r.channel or r.source, r.source), r.location, r.unit_label, r.description,
               name, phone, r.reported_at, r.created_at, dispatch_due, r.dispatched_at, waited,
               yes[r.dispatched_at <= dispatch_due] if r.dispatched_at else "", names.get(r.assignee_id, ""),
               r.started_at, r.finished_at, r.due_at, yes[on_time], r.work_note, r.materials, r.callback_at,
               yes[r.callback_reached], r.satisfaction,
               yes[satisfied], r.callback_comment, r.closed_at,
               r.reopen_count, r.reason]


def ticket_sheet(session: Session, project: Project, **filters) -> Sheet:
    """The project's tickets as one sheet (filters as `ticket_rows`)."""
    return Sheet(_("报修工单"), header(), ticket_rows(session, project, **filters))



def figures_sheet(figures) -> Sheet:
    """The month's figures as the CSV has them, counts and averages as numbers, rates as percentages."""
    return Sheet.of(figures.label, csv_rows(figures))
