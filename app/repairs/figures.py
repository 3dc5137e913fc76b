"""Monthly repair figures (报修月报) of a project: the counts, the rates, and the rows of its CSV.

The figures are counted in the database (one GROUP BY category), so a month of 10,000 tickets costs one query.
This month's and last month's are also counted by the clock every DRAFT_EVERY for every project (`count_open`,
the job `repairs.count`) and kept, so the page reads one row whatever the month's tickets, and says when they
were counted; the PDF, the CSV and the XLSX, handed on as they are, count when they are made.
The page, the PDF and the CSV download are in `figures_routes`.
"""
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, delete, select

from app.core.clock import batches
from app.core.db import among, bucket, by_period, upsert
from app.projects.services import organisation_projects, organisations
from app.repairs.models import CATEGORIES, DISPATCH_MINUTES, RepairMonthCount, RepairSettings, Ticket
from app.repairs.services import CHANNEL_LABELS, settings_for
from app.repairs.workflow import SATISFIED
from app.reports.csv_export import Shown
from app.reports.csv_export import percent as percent_cell

FINISHED_STATUSES = ("awaiting_callback", "closed")
DRAFT_MONTHS = 2  # the clock counts this month and the one before: the months read while they still move
DRAFT_EVERY = timedelta(minutes=5)
DRAFT_FRESH = timedelta(minutes=15)  # an older count (the clock has stopped) is not read: the month is counted live
COUNT_BATCH = 100  # project-months written per commit (a row: ~0.1 ms of SQLite's write lock with its JSON)


@dataclass
class Tally:
    """Counts of one month's tickets (all of them, or one category's) and the rates derived from them."""

    tickets: int = 0  # created in the month, cancelled ones excluded
    cancelled: int = 0  # created in the month and cancelled since
    completed: int = 0
    on_time: int = 0  # completed, finished_at <= due_at
    dispatched: int = 0
    dispatch_seconds: float = 0.0  # summed over the dispatched
    dispatched_in_target: int = 0
    timed: int = 0  # completed with a finished_at, the ones a time to finish is known for
    finish_seconds: float = 0.0  # summed over the timed
    reached: int = 0  # completed, callback reached the reporter
    satisfied: int = 0  # reached, satisfaction >= SATISFIED

    def __add__(self, other: "Tally") -> "Tally":
        # not dataclasses.astuple, which deep-copies: 2,700 additions took 1.5 s for the month matrix
        return Tally(**{name: getattr(self, name) + getattr(other, name) for name in TALLY_FIELDS})

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.completed, self.tickets)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.completed)

    @property
    def avg_dispatch_minutes(self) -> float | None:
        return _ratio(self.dispatch_seconds / 60, self.dispatched)

    @property
    def dispatch_target_rate(self) -> float | None:
        return _ratio(self.dispatched_in_target, self.dispatched)

    @property
    def avg_finish_hours(self) -> float | None:
        return _ratio(self.finish_seconds / 3600, self.timed)

    @property
    def callback_rate(self) -> float | None:
        return _ratio(self.reached, self.completed)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied, self.reached)


TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def _ratio(part, whole) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    project_id: int
    year: int
    month: int
    start: datetime  # the local month's first instant, in UTC (included)
    end: datetime  # the next month's first instant, in UTC (excluded)
    tz: str  # the time zone whose calendar month this is
    dispatch_minutes: int  # the project's dispatch target
    total: Tally = field(default_factory=Tally)
    categories: dict[str, Tally] = field(default_factory=dict)  # every known category, then any other found
    intakes: dict[str, Tally] = field(default_factory=dict)  # by how it came in: the desk's channel, else the source
    counted_at: datetime | None = None  # when the clock counted these; None: counted for this request

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def empty(self) -> bool:
        return not (self.total.tickets or self.total.cancelled)


class _seconds_between(FunctionElement):
    """later − earlier in seconds (NULL if either is NULL), in each database's own date arithmetic."""

    type = sa.Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(_seconds_between)
def _seconds_between_standard(element, compiler, **kw):  # PostgreSQL
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(_seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    # Rounded to the millisecond SQLite keeps, so that exactly 3 minutes compares equal to 180 s.
    return f"round((julianday({later}) - julianday({earlier})) * 86400.0, 3)"


def month_bounds(year: int, month: int, tz: str) -> tuple[datetime, datetime]:
    """The local calendar month [start, end) as UTC instants."""
    zone = ZoneInfo(tz)
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return (datetime(year, month, 1, tzinfo=zone).astimezone(timezone.utc),
            datetime(*after, 1, tzinfo=zone).astimezone(timezone.utc))


def months_back(year: int, month: int, count: int = 12) -> list[tuple[int, int]]:
    """(year, month) of the given month and the `count - 1` before it, newest first: a month selector's options."""
    index = year * 12 + month - 1
    return [(i // 12, i % 12 + 1) for i in range(index, index - count, -1)]


def _tally_columns(dispatch_minutes) -> dict:
    """A column per `Tally` field over the tickets a query selects (`dispatch_minutes`: a number or a column)."""
    live = Ticket.status != "cancelled"
    completed = sa.and_(live, sa.or_(Ticket.finished_at.is_not(None), Ticket.status.in_(FINISHED_STATUSES)))
    dispatched = sa.and_(live, Ticket.dispatched_at.is_not(None))
    timed = sa.and_(completed, Ticket.finished_at.is_not(None))
    reached = sa.and_(completed, Ticket.callback_reached == sa.true())
    dispatch = _seconds_between(Ticket.dispatched_at, Ticket.created_at)
    finish = _seconds_between(Ticket.finished_at, Ticket.created_at)

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    def seconds(condition, duration):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, duration), else_=None)), 0.0)

    return {
        "tickets": count(live), "cancelled": count(~live), "completed": count(completed),
        "on_time": count(sa.and_(completed, Ticket.finished_at <= Ticket.due_at)),
        "dispatched": count(dispatched), "dispatch_seconds": seconds(dispatched, dispatch),
        "dispatched_in_target": count(sa.and_(dispatched, dispatch <= dispatch_minutes * 60)),
        "timed": count(timed), "finish_seconds": seconds(timed, finish),
        "reached": count(reached), "satisfied": count(sa.and_(reached, Ticket.satisfaction >= SATISFIED)),
    }


def _tally(row) -> Tally:
    return Tally(**{f.name: f.type(row._mapping[f.name]) for f in fields(Tally)})  # PostgreSQL sums are Decimal


def _grouped(dispatch_minutes, *keys):
    """One row per `keys`, category and intake of the tickets the statement selects: those and a column per `Tally`
    field (`dispatch_minutes`: a number or a column)."""
    columns = _tally_columns(dispatch_minutes)
    intake = sa.case((Ticket.channel != "", Ticket.channel), else_=Ticket.source).label("intake")
    return (select(*keys, Ticket.category, intake, *(column.label(name) for name, column in columns.items()))
            .group_by(*keys, Ticket.category, intake))


def figures_stmt(*, project_id: int, start: datetime, end: datetime, dispatch_minutes: int):
    """One row per category and intake of the tickets created in [start, end): those and a column per `Tally` field."""
    return _grouped(dispatch_minutes).where(Ticket.project_id == project_id, Ticket.created_at >= start,
                                            Ticket.created_at < end)


RATE_FIELDS = ("tickets", "completed", "on_time", "reached", "satisfied")  # what the four rates need


def tallies_by_month(session: Session, *, project_ids: list[int], bounds: list[datetime],
                     only: tuple[str, ...] = RATE_FIELDS) -> dict[tuple, Tally]:
    """{(project id, i): Tally} of the tickets created in each period [bounds[i], bounds[i + 1]), all projects
    in one grouped query (the month matrix's repair figures). Only the `only` fields are counted (the others
    stay 0): the times to dispatch and finish cost most of the query."""
    if not project_ids:
        return {}
    period = bucket(Ticket.created_at, bounds).label("month_index")
    columns = {name: column for name, column in _tally_columns(0).items() if name in only}
    rows = session.exec(
        select(Ticket.project_id, period, *(column.label(name) for name, column in columns.items()))
        .where(among(Ticket.project_id, project_ids), Ticket.created_at >= bounds[0], Ticket.created_at < bounds[-1])
        .group_by(Ticket.project_id, *by_period(period, bounds)))
    names = list(columns)
    return {(project_id, index): Tally(**dict(zip(names, map(int, counts), strict=True)))
            for project_id, index, *counts in rows}


def month_figures(session: Session, *, project_id: int, year: int, month: int, tz: str = "Asia/Shanghai",
                  counted_since: datetime | None = None) -> Figures:
    """A project's repair figures for one local calendar month.

    - tickets: created in the month (local time); cancelled ones are counted apart and left out of every figure below.
    - completed: of those, finished (finished_at set, or status awaiting_callback / closed).
    - completion rate = completed / tickets.
    - on-time rate = completed with finished_at ≤ due_at / completed (no due date or finish time: not on time).
    - time to dispatch = mean(dispatched_at − created_at) in minutes over the dispatched tickets, and the share of
      them dispatched within the project's target (RepairSettings.dispatch_minutes, 3 by default).
    - time to finish = mean(finished_at − created_at) in hours over the completed tickets with a finished_at.
    - callback rate = completed tickets whose callback reached the reporter / completed.
    - satisfaction rate = reached callbacks with satisfaction ≥ 4 / reached callbacks.
    - by category: the same counts per category; by intake: per channel the front desk took it through (来电,
      来访, 微信, 巡查转来), else per source (a patrol, a handover, an inspection, a resident's form).
    A rate whose denominator is 0 is None.
    `counted_since`: the clock's count of the month is read if it was made since then (`count_open`); without one,
    or without `counted_since`, the month is counted now.
    """
    start, end = month_bounds(year, month, tz)
    kept = counted_since is not None and session.exec(select(RepairMonthCount).where(
        RepairMonthCount.project_id == project_id, RepairMonthCount.month == f"{year:04d}-{month:02d}",
        RepairMonthCount.counted_at > counted_since)).first()
    if kept:
        target, counted_at = kept.dispatch_minutes, kept.counted_at
        rows = [(category, intake, Tally(**counts)) for category, intake, counts in kept.rows]
    else:
        target, counted_at = settings_for(session, project_id).dispatch_minutes, None
        rows = [(row.category, row.intake, _tally(row)) for row in session.exec(
            figures_stmt(project_id=project_id, start=start, end=end, dispatch_minutes=target))]
    figures = Figures(project_id=project_id, year=year, month=month, start=start, end=end, tz=tz,
                      dispatch_minutes=target, categories={c: Tally() for c in CATEGORIES}, counted_at=counted_at)
    for category, intake, tally in rows:
        figures.categories[category] = figures.categories.get(category, Tally()) + tally
        figures.intakes[intake] = figures.intakes.get(intake, Tally()) + tally
        figures.total = figures.total + tally
    return figures


def count_open(session: Session, *, now: datetime, tz: str) -> int:
    """The clock's part: this month and the one before (DRAFT_MONTHS) counted for every project in one grouped
    query a month, each project's month kept as a row with the time (rewritten at each count); the rows of other
    months, and of a project with no ticket left in the month, go. Returns the rows kept."""
    local = now.astimezone(ZoneInfo(tz))
    months = months_back(local.year, local.month, DRAFT_MONTHS)
    labels = [f"{y:04d}-{m:02d}" for y, m in months]
    target = sa.func.coalesce(RepairSettings.dispatch_minutes, DISPATCH_MINUTES)
    project_ids = [p.id for o in organisations(session)  # archived ones too: one may come back
                   for p in organisation_projects(session, o.id, active_only=False)]
    kept, gone = [], []  # written once all is counted, a batch a commit: SQLite's lock is held only for short writes
    for (year, month), label in zip(months, labels, strict=True):
        start, end = month_bounds(year, month, tz)
        found = session.exec(
            _grouped(target, Ticket.project_id, target.label("target"))
            .outerjoin(RepairSettings, RepairSettings.project_id == Ticket.project_id)
            .where(among(Ticket.project_id, project_ids), Ticket.created_at >= start, Ticket.created_at < end))
        counted = {}
        for row in found:
            tally = _tally(row)
            counted.setdefault(row.project_id, {"project_id": row.project_id, "month": label, "counted_at": now,
                                                "dispatch_minutes": row.target, "rows": []})["rows"].append(
                [row.category, row.intake, {name: getattr(tally, name) for name in TALLY_FIELDS}])
        gone.append(sa.and_(RepairMonthCount.month == label, RepairMonthCount.project_id.not_in(list(counted))))
        kept.extend(counted.values())
    session.exec(delete(RepairMonthCount).where(sa.or_(RepairMonthCount.month.not_in(labels), *gone)))
    session.commit()
    for batch in batches(kept, COUNT_BATCH):  # each project's month whole: a page reads one row
        upsert(session, RepairMonthCount.__table__, batch, unique=["project_id", "month"])
        session.commit()
    return len(kept)


# -- formatting ---------------------------------------------------------------------------------

def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def amount(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.1f} {unit}".rstrip()


# How a ticket came in: the front desk's channels, then the sources of tickets nobody phoned in.
INTAKE_LABELS = {**CHANNEL_LABELS, "front_desk": _l("前台登记"), "patrol": _l("巡更上报"), "handover": _l("交接上报"),
                 "inspection": _l("检查整改"), "resident": _l("业主自助报修"), "incident": _l("特殊事件")}

CSV_COLUMNS = (
    (_l("类别"), None), (_l("工单数"), "tickets"), (_l("已取消"), "cancelled"), (_l("已完成"), "completed"),
    (_l("完成率"), "completion_rate"), (_l("按时完成"), "on_time"), (_l("按时完成率"), "on_time_rate"),
    (_l("已派单"), "dispatched"), (_l("平均派单用时(分钟)"), "avg_dispatch_minutes"),
    (_l("派单达标"), "dispatched_in_target"), (_l("派单达标率"), "dispatch_target_rate"),
    (_l("平均完工用时(小时)"), "avg_finish_hours"), (_l("已回访"), "reached"), (_l("回访率"), "callback_rate"),
    (_l("满意"), "satisfied"), (_l("满意率"), "satisfaction_rate"),
)


def _csv_cell(tally: Tally, attr: str):
    value = getattr(tally, attr)
    if value is None:
        return ""  # a spreadsheet reads an empty cell as "no figure"
    if attr.endswith("_rate"):
        return percent_cell(value)
    return Shown(value, f"{value:.1f}", "0.0") if isinstance(value, float) else value


def csv_rows(figures: Figures) -> list[list]:
    """The month's figures as a sheet, for the CSV and the XLSX: the header, one row per category, then the total."""
    rows = [[str(label) for label, _attr in CSV_COLUMNS]]
    for name, tally in [*figures.categories.items(), (_("合计"), figures.total)]:
        rows.append([name, *(_csv_cell(tally, attr) for _label, attr in CSV_COLUMNS[1:])])
    return rows
