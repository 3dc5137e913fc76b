"""Complaint deadlines and escalation, as plain arithmetic on a project's settings (seed 000 第十八条, seed 003).

- first reply: within `reply_hours` (24) of receipt;
- handled: the same local day (当日) while it stays with the desk (unassigned, or the customer-service
  department); within `transfer_days` (3) of receipt once passed to another department;
- past a deadline it climbs one level per `escalate_hours` (24): 1 班组 (the department's responsible users),
  2 主管 (the project's supervisors), 3 经理 (the company's admins) — 三级负责制.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.complaints.models import DESK, ComplaintSettings
from app.complaints.workflow import OPEN

LEVELS = (1, 2, 3)  # 班组, 主管, 经理


def reply_due(settings: ComplaintSettings, received_at: datetime) -> datetime:
    return received_at + timedelta(hours=settings.reply_hours)


def resolve_due(settings: ComplaintSettings, received_at: datetime, department_code: str | None, tz: str) -> datetime:
    """End of the local day of receipt for the desk's own, receipt + transfer_days for another department."""
    if department_code in (None, "", DESK):
        zone = ZoneInfo(tz)
        day = received_at.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(received_at.tzinfo)
    return received_at + timedelta(days=settings.transfer_days)


@dataclass(frozen=True)
class Missed:
    what: str  # "reply" | "resolve"
    due: datetime


def missed(complaint, now: datetime) -> Missed | None:
    """The earliest deadline of an open complaint that has passed unmet, or None."""
    if complaint.status not in OPEN:
        return None
    late = []
    if complaint.first_replied_at is None and complaint.reply_due_at < now:
        late.append(Missed("reply", complaint.reply_due_at))
    if complaint.replied_at is None and complaint.resolve_due_at < now:
        late.append(Missed("resolve", complaint.resolve_due_at))
    return min(late, key=lambda m: m.due) if late else None


def level(settings: ComplaintSettings, missed_at: datetime, now: datetime) -> int:
    """How far up a complaint is owed by now: 1 at the missed deadline, one more per `escalate_hours`, at most 3."""
    if now <= missed_at:
        return 0
    steps = int((now - missed_at) / timedelta(hours=settings.escalate_hours))
    return min(LEVELS[-1], 1 + steps)


def due_today(complaint, day_end: datetime) -> bool:
    """Whether an open complaint has a deadline by the end of the day (or one already passed)."""
    if complaint.status not in OPEN:
        return False
    dues = []
    if complaint.first_replied_at is None:
        dues.append(complaint.reply_due_at)
    if complaint.replied_at is None:
        dues.append(complaint.resolve_due_at)
    if complaint.status == "replied" and complaint.callback_due_at:
        dues.append(complaint.callback_due_at)
    return any(d < day_end for d in dues)
