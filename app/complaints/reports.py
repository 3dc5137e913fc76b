"""The daily complaint report (客户投诉信息日报表) and the monthly front-desk report's figures; rows for CSV.

Daily, for a local day D (a complaint is "of D" when received on D):
- received: complaints of D; by category; by department (unassigned ones under "未转交");
- replied on time: complaints of D whose first reply came by its reply deadline (24 h);
- closed: complaints closed on D, whenever received;
- open at the end of D: complaints received by the end of D and not closed by then; overdue of them: past a
  deadline at the end of D without the reply it asked for.
Monthly, for the complaints received in the month (local calendar month):
- reply on time = first reply by the reply deadline ÷ those replied or past that deadline;
- handled on time = reply that settled it (the latest, after any reprocessing) by the handling deadline
  (same day / 3 days) ÷ those replied or past that deadline;
- callback rate = called back (a satisfaction recorded) ÷ replied;
- 满意率 = callbacks reached with 4-5 ÷ callbacks reached, of the callbacks made in the month (repairs and
  complaints), in all, by channel and by department.
A rate whose denominator is 0 is None ("—").
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.complaints import services
from app.complaints.departments import departments_of
from app.complaints.models import CATEGORIES, Complaint
from app.core.db import among, bucket, by_period
from app.frontdesk.services import CHANNELS  # the desk's channels
from app.reports.csv_export import percent, when


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return (datetime.combine(day, time(0), tzinfo=zone), datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone))


def _late_at(c: Complaint, moment: datetime) -> bool:
    return ((c.first_replied_at is None or c.first_replied_at > moment) and c.reply_due_at < moment) or \
        ((c.replied_at is None or c.replied_at > moment) and c.resolve_due_at < moment)


@dataclass
class DayReport:
    day: date
    rows: list
    departments: dict  # id → name
    received: int = 0
    replied_on_time: int = 0
    closed: int = 0
    open_at_end: int = 0
    overdue_at_end: int = 0
    by_category: dict = field(default_factory=dict)
    by_department: dict = field(default_factory=dict)


def day_report(session: Session, *, project_id: int, day: date, tz: str) -> DayReport:
    start, end = day_bounds(day, tz)
    names = {d.id: d.name for d in departments_of(session, project_id, active_only=False)}
    rows = services.received_between(session, project_id, start, end)
    report = DayReport(day=day, rows=rows, departments=names, received=len(rows))
    report.replied_on_time = sum(1 for c in rows if c.first_replied_at and c.first_replied_at <= c.reply_due_at)
    for c in rows:
        report.by_category[c.category] = report.by_category.get(c.category, 0) + 1
        name = names.get(c.department_id, _("未转交"))
        report.by_department[name] = report.by_department.get(name, 0) + 1
    report.closed = services.count_closed_between(session, project_id, start, end)
    carried = services.open_at(session, project_id, end)
    report.open_at_end = len(carried)
    report.overdue_at_end = sum(1 for c in carried if _late_at(c, end))
    return report


def day_tables(report: DayReport, labels: dict) -> tuple[list[list], list[list]]:
    """The day's complaints, one row each, and the day's counts: two tables, headers first (CSV and XLSX)."""
    tz = ZoneInfo(labels["tz"])
    rows = [[_("编号"), _("受理时间"), _("投诉人"), _("房号"), _("渠道"), _("类别"), _("投诉内容"), _("处理部门"),
             _("状态"), _("答复内容"), _("答复时间")]]
    for c in report.rows:
        rows.append([c.number, when(c.received_at, clock_only=True, tz=tz), c.complainant_name, c.unit_label,
                     labels["channels"][c.channel], c.category, c.description,
                     report.departments.get(c.department_id, ""), labels["statuses"][c.status], c.reply,
                     when(c.first_replied_at, tz=tz)])
    counts = [[_("指标"), _("数值")]]
    for label, value in ((_("受理"), report.received), (_("按时首次答复"), report.replied_on_time),
                         (_("当日关闭"), report.closed), (_("日末未结"), report.open_at_end),
                         (_("其中超时"), report.overdue_at_end)):
        counts.append([label, value])
    return rows, counts


def day_csv(report: DayReport, labels: dict) -> list[list]:
    """The CSV's one sheet: the complaints, an empty row, the counts (without their header)."""
    rows, counts = day_tables(report, labels)
    return rows + [[]] + counts[1:]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class MonthComplaints:
    received: int = 0
    by_category: dict = field(default_factory=dict)
    by_department: dict = field(default_factory=dict)
    by_channel: dict = field(default_factory=dict)
    reply_due: int = 0
    reply_on_time: int = 0
    resolve_due: int = 0
    resolve_on_time: int = 0
    replied: int = 0
    called_back: int = 0
    closed: int = 0
    repeats: int = 0

    @property
    def reply_rate(self):
        return _ratio(self.reply_on_time, self.reply_due)

    @property
    def resolve_rate(self):
        return _ratio(self.resolve_on_time, self.resolve_due)

    @property
    def callback_rate(self):
        return _ratio(self.called_back, self.replied)


def month_complaints(session: Session, *, project_id: int, start: datetime, end: datetime, now: datetime
                     ) -> MonthComplaints:
    names = {d.id: d.name for d in departments_of(session, project_id, active_only=False)}
    out = MonthComplaints(by_category=dict.fromkeys(CATEGORIES, 0), by_channel=dict.fromkeys(CHANNELS, 0))
    for c in services.received_between(session, project_id, start, end):
        out.received += 1
        out.by_category[c.category] = out.by_category.get(c.category, 0) + 1
        out.by_channel[c.channel] = out.by_channel.get(c.channel, 0) + 1
        name = names.get(c.department_id, _("未转交"))
        out.by_department[name] = out.by_department.get(name, 0) + 1
        if c.first_replied_at or c.reply_due_at < now:
            out.reply_due += 1
            out.reply_on_time += int(bool(c.first_replied_at and c.first_replied_at <= c.reply_due_at))
        if c.replied_at or c.resolve_due_at < now:
            out.resolve_due += 1
            out.resolve_on_time += int(bool(c.replied_at and c.replied_at <= c.resolve_due_at))
        out.replied += int(c.first_replied_at is not None)
        out.called_back += int(c.satisfaction is not None)
        out.closed += int(c.status == "closed")
        out.repeats += int(c.repeat_of_id is not None)
    return out


def on_time_by_month(session: Session, *, project_ids: list[int], bounds: list[datetime], now: datetime
                     ) -> dict[tuple, tuple]:
    """{(project id, i): (complaints due, handled on time)} of the complaints received in each period
    [bounds[i], bounds[i + 1]), in one grouped query: the month report's 处理及时率 (`MonthComplaints.resolve_rate`)
    for every project at once."""
    if not project_ids:
        return {}
    period = bucket(Complaint.received_at, bounds).label("month_index")
    due = sa.or_(Complaint.replied_at.is_not(None), Complaint.resolve_due_at < now)
    on_time = Complaint.replied_at <= Complaint.resolve_due_at

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    rows = session.exec(select(Complaint.project_id, period, count(due), count(on_time)).where(
        among(Complaint.project_id, project_ids), Complaint.received_at >= bounds[0], Complaint.received_at < bounds[-1])
        .group_by(Complaint.project_id, *by_period(period, bounds)))
    return {(project_id, index): (int(n_due), int(n_on_time)) for project_id, index, n_due, n_on_time in rows}


def _pct(rate) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


def month_csv(c: dict) -> list[list]:
    """The monthly front-desk report as rows: section, figure, value."""
    rows = [[_("项目"), _("指标"), _("数值")]]
    for channel, n in c["intakes"].items():
        rows.append([_("来电来访"), c["channel_labels"].get(channel, channel), n])
    r = c["repairs"]
    rows += [[_("报修"), _("工单数"), r.tickets], [_("报修"), _("已完成"), r.completed],
             [_("报修"), _("完成率"), percent(r.completion_rate)], [_("报修"), _("回访率"), percent(r.callback_rate)]]
    m = c["complaints"]
    rows.append([_("投诉"), _("受理"), m.received])
    rows += [[_("投诉 · 类别"), name, n] for name, n in m.by_category.items()]
    rows += [[_("投诉 · 部门"), name, n] for name, n in m.by_department.items()]
    rows += [[_("投诉"), _("首次答复及时率"), percent(m.reply_rate)], [_("投诉"), _("处理及时率"), percent(m.resolve_rate)],
             [_("投诉"), _("回访率"), percent(m.callback_rate)], [_("投诉"), _("重复投诉"), m.repeats]]
    for split, title in (("total", _("满意率")), ("channel", _("满意率 · 渠道")), ("department", _("满意率 · 部门"))):
        for key, rate in c["satisfaction"][split].items():
            rows.append([title, c["channel_labels"].get(key, key) if split == "channel" else (key or _("合计")),
                         percent(rate.satisfaction_rate)])
    return rows
