"""Callbacks for everything (回访): one list of what waits for a call, each attempt counted, and 满意率.

The subjects stay their capabilities' own: a ticket's callback is repairs' `callback` action, a complaint's is the
complaint workflow's. This module lists them together (through their services), records each attempt beside
them — reached or not, the channel the matter came in through and the department that handled it — and counts.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.callbacks.models import SUBJECTS, CallbackAttempt
from app.complaints import services as complaints
from app.complaints.departments import departments_of, ensure_departments
from app.complaints.models import DESK as DESK_CODE
from app.complaints.workflow import DESK, SATISFIED
from app.core.permissions import roles_in
from app.core.refusal import Refusal
from app.core.validation import whole
from app.frontdesk import services as frontdesk
from app.repairs import services as repairs

RETRY_HOURS = complaints.RETRY_HOURS
TICKET_CALLBACK_HOURS = 24  # a finished repair is called back within a day


class CallbackError(Refusal):
    """A callback that cannot be recorded as given."""


@dataclass
class Due:
    """One matter waiting for its callback."""

    subject_type: str  # "ticket" | "complaint" | "intake"
    subject_id: int
    number: str
    who: str
    phone: str
    what: str
    due_at: datetime
    attempts: int = 0
    channel: str = ""
    project_id: int = 0


def _attempts(session: Session, subject_type: str, ids, with_reached: bool = False) -> dict[int, list[tuple]]:
    """(at, retry_at[, reached]) of each subject's attempts, oldest first."""
    if not ids:
        return {}
    columns = [CallbackAttempt.at, CallbackAttempt.retry_at] + ([CallbackAttempt.reached] if with_reached else [])
    rows = session.exec(select(CallbackAttempt.subject_id, *columns).where(
        CallbackAttempt.subject_type == subject_type, CallbackAttempt.subject_id.in_(list(ids)))
        .order_by(CallbackAttempt.at, CallbackAttempt.id)).all()
    out: dict[int, list] = {}
    for subject_id, *rest in rows:
        out.setdefault(subject_id, []).append(tuple(rest))
    return out


def _tickets_due(session: Session, project_ids: list[int]) -> list[Due]:
    """Finished repairs waiting for their callback: a day after the finish, or when a missed call is retried."""
    tickets = repairs.tickets_in(session, project_ids, ("awaiting_callback",))
    attempts = _attempts(session, "ticket", [t.id for t in tickets])
    out = []
    for t in tickets:
        tries = attempts.get(t.id, [])
        due = tries[-1][1] if tries and tries[-1][1] else \
            (t.finished_at or t.created_at) + timedelta(hours=TICKET_CALLBACK_HOURS)
        out.append(Due("ticket", t.id, t.number, t.reporter_name, t.reporter_phone, t.description, due,
                       attempts=len(tries), channel=t.channel or t.source, project_id=t.project_id))
    return out


def _intakes_due(session: Session, project_ids: list[int]) -> list[Due]:
    """Calls and visits marked for follow-up and not yet reached: a day after they came, or at the retry."""
    intakes = frontdesk.follow_ups(session, project_ids)
    attempts = _attempts(session, "intake", [i.id for i in intakes], with_reached=True)
    out = []
    for i in intakes:
        tries = attempts.get(i.id, [])
        if any(reached for _at, _retry, reached in tries):
            continue
        due = tries[-1][1] if tries and tries[-1][1] else i.received_at + timedelta(hours=TICKET_CALLBACK_HOURS)
        out.append(Due("intake", i.id, f"#{i.id}", i.caller_name, i.caller_phone, i.description, due,
                       attempts=len(tries), channel=i.channel, project_id=i.project_id))
    return out


def due_list(session: Session, project_id: int, now: datetime) -> list[Due]:
    """Tickets awaiting callback, complaints replied to and intakes marked for follow-up, the earliest due first,
    with their attempts so far."""
    waiting = complaints.awaiting_callback(session, project_id)
    attempts = _attempts(session, "complaint", [c.id for c in waiting])
    out = [Due("complaint", c.id, c.number, c.complainant_name, c.complainant_phone, c.description,
               c.callback_due_at or now, attempts=len(attempts.get(c.id, [])), channel=c.channel,
               project_id=c.project_id) for c in waiting]
    out += _tickets_due(session, [project_id]) + _intakes_due(session, [project_id])
    return sorted(out, key=lambda d: (d.due_at, d.subject_type, d.subject_id))


def _latest_retry(ticket_id):
    """The retry time the ticket's last attempt set (NULL without one), as a SQL scalar."""
    return (select(CallbackAttempt.retry_at).where(CallbackAttempt.subject_type == "ticket",
                                                   CallbackAttempt.subject_id == ticket_id)
            .order_by(CallbackAttempt.at.desc(), CallbackAttempt.id.desc()).limit(1).scalar_subquery())


def _count_tickets_due(session: Session, project_ids: list[int], day_end: datetime) -> dict[int, int]:
    """{project id: tickets awaiting callback due by `day_end`}, counted in the database as `_tickets_due` reads
    them — at the last attempt's retry time if it set one, else a day after the finish — from indexes, whatever
    the number of tickets waiting: those finished a day before `day_end` (the tickets' index), plus the few finished
    since whose retry comes before `day_end`, less the few whose last attempt set a retry after it (read first from
    the attempts' retry index)."""
    cut = day_end - timedelta(hours=TICKET_CALLBACK_HOURS)
    later = aliased(CallbackAttempt)
    retry_to_come = select(CallbackAttempt.subject_id).where(
        CallbackAttempt.subject_type == "ticket", CallbackAttempt.retry_at >= day_end,
        ~sa.exists().where(later.subject_type == "ticket", later.subject_id == CallbackAttempt.subject_id,
                           sa.or_(later.at > CallbackAttempt.at,
                                  sa.and_(later.at == CallbackAttempt.at, later.id > CallbackAttempt.id))))
    counts = repairs.awaiting_callback_counts(session, project_ids, finished_before=cut)
    for project_id, n in repairs.awaiting_callback_counts(
            session, project_ids, finished_since=cut, where=lambda ticket_id: _latest_retry(ticket_id) < day_end).items():
        counts[project_id] = counts.get(project_id, 0) + n
    waiting = sorted(set(session.exec(retry_to_come).all()))  # a few: read first, the tickets then found by id
    for project_id, n in (repairs.awaiting_callback_counts(
            session, project_ids, finished_before=cut, where=lambda ticket_id: ticket_id.in_(waiting)).items()
            if waiting else ()):
        counts[project_id] -= n
    return {project_id: n for project_id, n in counts.items() if n}


def count_due(session: Session, project_ids: list[int], day_end: datetime) -> dict[int, int]:
    """{project id: callbacks due by `day_end`} (the home's count): complaints and tickets counted in the
    database, intakes (at most a bounded list) from their due times; a fixed number of queries however many
    projects or records."""
    counts = complaints.count_callbacks_due(session, project_ids, day_end)
    for project_id, n in _count_tickets_due(session, project_ids, day_end).items():
        counts[project_id] = counts.get(project_id, 0) + n
    for due in _intakes_due(session, project_ids):
        if due.due_at < day_end:
            counts[due.project_id] = counts.get(due.project_id, 0) + 1
    return counts


def _department_name(session: Session, project_id: int, code: str = "", department_id: int | None = None) -> str:
    for d in departments_of(session, project_id, active_only=False) or ensure_departments(session, project_id):
        if (department_id and d.id == department_id) or (code and d.code == code):
            return d.name
    return ""


def record(session: Session, *, storage, actor, project, subject_type: str, subject_id, reached: bool,
           satisfaction=None, comment: str = "", now: datetime, tz: str) -> CallbackAttempt:
    """One call: the subject's own callback action (which checks the state and the role) and the attempt row."""
    if subject_type not in SUBJECTS:
        raise CallbackError(_("未知的回访对象。"), status=400)
    score = whole(satisfaction, _("满意度"), 1, 5, field="satisfaction", error=CallbackError) if reached else None
    comment = str(comment or "").strip()[:500]
    if subject_type == "ticket":
        ticket = repairs.ticket_in(session, subject_id, project_id=project.id)
        repairs.act(session, storage=storage, actor=actor, ticket=ticket, action="callback", now=now, reached=reached,
                    satisfaction=score, comment=comment)
        channel, department, the_id = ticket.channel or ticket.source, _department_name(
            session, project.id, code="engineering"), ticket.id
    elif subject_type == "intake":  # nothing of the intake changes: the reached attempt is its callback
        if not roles_in(session, actor, project) & {"admin", *DESK}:
            raise CallbackError(_("您的角色不能%(action)s。", action=_("回访")), status=403)
        intake = frontdesk.intake_in(session, subject_id, project_id=project.id)
        channel, department, the_id = intake.channel, _department_name(session, project.id, code=DESK_CODE), intake.id
    else:
        complaint = complaints.complaint_in(session, subject_id, project_id=project.id)
        complaints.act(session, storage=storage, actor=actor, complaint=complaint, action="callback", now=now,
                       tz=tz, reached=reached, satisfaction=score, text=comment)
        channel, the_id = complaint.channel, complaint.id
        department = _department_name(session, project.id, department_id=complaint.department_id)
    attempt = CallbackAttempt(project_id=project.id, subject_type=subject_type, subject_id=the_id, channel=channel,
                              department=department, at=now, by_id=actor.id, reached=reached, satisfaction=score,
                              comment=comment, retry_at=None if reached else now + timedelta(hours=RETRY_HOURS))
    session.add(attempt)
    return attempt


# -- figures ------------------------------------------------------------------------------------

@dataclass
class Rate:
    calls: int = 0
    reached: int = 0
    satisfied: int = 0

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.reached if self.reached else None

    @property
    def reach_rate(self) -> float | None:
        return self.reached / self.calls if self.calls else None


def satisfaction(session: Session, project_id: int, start: datetime, end: datetime) -> dict[str, dict[str, Rate]]:
    """满意率 of the callbacks made in [start, end): in all, by subject, by channel and by department."""
    rows = session.exec(select(CallbackAttempt).where(CallbackAttempt.project_id == project_id,
                                                      CallbackAttempt.at >= start, CallbackAttempt.at < end)).all()
    out: dict[str, dict[str, Rate]] = {"total": {}, "subject": {}, "channel": {}, "department": {}}
    for row in rows:
        for split, key in (("total", ""), ("subject", row.subject_type), ("channel", row.channel),
                           ("department", row.department)):
            rate = out[split].setdefault(key, Rate())
            rate.calls += 1
            rate.reached += int(row.reached)
            rate.satisfied += int(row.reached and (row.satisfaction or 0) >= SATISFIED)
    out["total"].setdefault("", Rate())
    return out


@dataclass
class PlanRow:
    """A complainant of the month, for a courtesy callback (月度回访计划)."""

    name: str
    phone: str
    unit: str
    complaints: list
    called_back: bool


def month_plan(session: Session, project_id: int, start: datetime, end: datetime) -> list[PlanRow]:
    """The month's complainants, one row per phone number, with their complaints and whether all were called back."""
    rows: dict[str, PlanRow] = {}
    for c in complaints.received_between(session, project_id, start, end):
        row = rows.setdefault(c.complainant_phone, PlanRow(c.complainant_name, c.complainant_phone, c.unit_label,
                                                           [], True))
        row.complaints.append(c)
        row.called_back = row.called_back and c.satisfaction is not None
    return sorted(rows.values(), key=lambda r: (r.called_back, r.unit, r.phone))
