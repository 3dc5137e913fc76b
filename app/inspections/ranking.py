"""The monthly ranking of every site (月度排名), frozen once the month has closed.

A month's period runs from the end of the previous month's close day to the end of its own (the close
day is the organisation's setting, 30 by default; a shorter month closes on its last day). Only effective
inspections count; a site's score per sheet is the mean of that month's inspections, and its combined
score is the total of its sheet scores over the total of their bases, as a percentage, so a site scored on
both sheets and a site scored on one are compared fairly. Sites with the same combined score share a rank.

Once the period has ended and none of its inspections is still provisional (at most the objection window
later), the ranking is final, and the clock **stores** it as it stands (RankingSnapshot, `freeze`): objections
decided later, or a sheet changed later, do not move a ranking people have already been told. Pages only read
(`ranking`): an inspection whose window has passed counts as effective there before the clock has recorded it.
"""
import calendar
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.checklists.definition import format_points
from app.checklists.services import score_sheet_templates
from app.core.db import zone
from app.inspections.models import Inspection, InspectionSheet, RankingSnapshot
from app.inspections.objections import statuses
from app.inspections.scoring import half_up
from app.inspections.services import settings_for
from app.projects.services import organisation_project_names, project_ids_stmt


@dataclass
class Row:
    project_id: int
    name: str
    scores: dict[str, float | None] = field(default_factory=dict)  # sheet key → mean score that month
    combined: float | None = None  # percentage of the bases scored
    rank: int | None = None
    inspections: int = 0  # effective inspections that month
    provisional: int = 0  # still in their objection window (not counted yet)
    previous_rank: int | None = None
    change: float | None = None  # combined score minus last month's

    @property
    def inspected(self) -> bool:
        return self.inspections > 0


@dataclass
class Ranking:
    month: str
    start: datetime
    end: datetime
    sheets: list[dict]  # [{key, name, base}]
    rows: list[Row]
    frozen: bool = False  # final: stored, or the clock stores it as it is at its next run
    stored: bool = False

    @property
    def ranked(self) -> list[Row]:
        """The rows with a combined score, best first (those without come after them in `rows`)."""
        return [row for row in self.rows if row.combined is not None]


def parse_month(value: str | None, today: date) -> str:
    """A "YYYY-MM" from the URL, else this month. Years are kept to 2000–2999: "0001-01" or "9999-12" would
    give a month string the period arithmetic cannot step back or forward from."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        if 2000 <= year <= 2999:
            return f"{date(year, month, 1):%Y-%m}"
    except (TypeError, ValueError):
        pass
    return f"{today:%Y-%m}"


def previous_month(month: str) -> str:
    first = date.fromisoformat(month + "-01")
    return f"{first - timedelta(days=1):%Y-%m}"


def next_month(month: str) -> str:
    first = date.fromisoformat(month + "-01")
    return f"{first + timedelta(days=32):%Y-%m}"


def _close(year: int, month: int, close_day: int, tz: ZoneInfo) -> datetime:
    day = min(close_day, calendar.monthrange(year, month)[1])
    return datetime.combine(date(year, month, day) + timedelta(days=1), time(0), tzinfo=tz)


def period(month: str, close_day: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a month's period: after the previous close up to the end of this month's close day."""
    first = date.fromisoformat(month + "-01")
    before = first - timedelta(days=1)
    return _close(before.year, before.month, close_day, tz), _close(first.year, first.month, close_day, tz)


def month_of(moment: datetime, close_day: int, tz: ZoneInfo) -> str:
    """The ranking month a moment belongs to (after the close day: the next month)."""
    day = moment.astimezone(tz)
    month = f"{day:%Y-%m}"
    _start, end = period(month, close_day, tz)
    return next_month(month) if day >= end else month


def _sheets(session: Session, organisation_id: int) -> list[dict]:
    templates = score_sheet_templates(session, organisation_id)
    return [{"key": t.key, "name": t.name, "base": t.base_score, "id": t.id} for t in templates]


def _compute(session: Session, organisation_id: int, sites: list[tuple[int, str]], start: datetime, end: datetime,
             sheets: list[dict], now: datetime) -> list[Row]:
    keys = [s["key"] for s in sheets]
    rows = {pid: Row(project_id=pid, name=name, scores=dict.fromkeys(keys)) for pid, name in sites}
    key_of = {s["id"]: s["key"] for s in sheets}
    base_of = {s["key"]: s["base"] for s in sheets}
    # plain rows of columns through the connection, not Inspection objects: building 2,000 of them was most of a
    # 500-site page's time
    found = session.connection().execute(
        select(Inspection.id, Inspection.project_id, Inspection.status != "effective", InspectionSheet.template_id,
               InspectionSheet.score)
        .join(InspectionSheet, InspectionSheet.inspection_id == Inspection.id)
        .where(Inspection.project_id.in_(project_ids_stmt(organisation_id)), Inspection.inspected_at >= start,
               Inspection.inspected_at < end)
    ).all()
    # the few not yet recorded as effective are read whole: `statuses` weighs their window and objections
    pending = {inspection_id for inspection_id, _project, not_effective, *_sheet in found if not_effective}
    status_of = statuses(session, session.exec(select(Inspection).where(Inspection.id.in_(pending))).all(),
                         now) if pending else {}
    scores: dict[tuple[int, str], list[float]] = {}
    counted: dict[int, set] = {}
    waiting: dict[int, set] = {}
    for inspection_id, project_id, _not_effective, template_id, score in found:
        if project_id not in rows:  # an archived site's
            continue
        if inspection_id in pending and status_of[inspection_id] != "effective":
            waiting.setdefault(project_id, set()).add(inspection_id)
            continue
        counted.setdefault(project_id, set()).add(inspection_id)
        if template_id in key_of:
            scores.setdefault((project_id, key_of[template_id]), []).append(score)
    means: dict[int, dict[str, float]] = {}  # the sites scored, each sheet's mean (the others have no rate)
    for (project_id, key), values in scores.items():
        means.setdefault(project_id, {})[key] = half_up(sum(values) / len(values))
    for project_id, scored in means.items():
        row = rows[project_id]
        row.scores.update(scored)
        row.combined = half_up(sum(scored.values()) * 100 / sum(base_of[k] for k in scored))
    for project_id, ids in counted.items():
        rows[project_id].inspections = len(ids)
    for project_id, ids in waiting.items():
        rows[project_id].provisional = len(ids)
    ranked = sorted((r for r in rows.values() if r.combined is not None), key=lambda r: (-r.combined, r.name))
    for position, row in enumerate(ranked, start=1):
        same = position > 1 and ranked[position - 2].combined == row.combined
        row.rank = ranked[position - 2].rank if same else position  # ties share a rank: 1, 1, 3
    return ranked + [r for r in rows.values() if r.combined is None]


def _from_snapshot(snapshot: RankingSnapshot, start: datetime, end: datetime) -> Ranking:
    return Ranking(month=snapshot.month, start=start, end=end, sheets=snapshot.sheets,
                   rows=[Row(**row) for row in snapshot.rows], frozen=True, stored=True)


def ranking(session: Session, *, organisation_id: int, month: str, now: datetime, compare: bool = True) -> Ranking:
    """The month's ranking, read only: the stored one once frozen, else as it stands at `now` (`frozen` when the
    clock will store it as it is)."""
    months = [month, previous_month(month)] if compare else [month]
    # the settings and the stored rankings of both months read once, for the month and for the one it is compared
    # with (on PostgreSQL each statement is a round trip and a parse and plan of its own)
    snapshots = {s.month: s for s in session.exec(select(RankingSnapshot).where(
        RankingSnapshot.organisation_id == organisation_id, RankingSnapshot.month.in_(months)))}
    return _ranking(session, organisation_id, month, now, compare, settings_for(session, organisation_id).close_day,
                    snapshots, {})


def _ranking(session: Session, organisation_id: int, month: str, now: datetime, compare: bool, close_day: int,
             snapshots: dict[str, RankingSnapshot], read: dict) -> Ranking:
    tz = zone()
    start, end = period(month, close_day, tz)
    snapshot = snapshots.get(month)
    if snapshot is not None:
        return _from_snapshot(snapshot, start, end)
    if not read:  # the sites and the sheets read once for both months
        read.update(sites=organisation_project_names(session, organisation_id), sheets=_sheets(session, organisation_id))
    sheets = read["sheets"]
    rows = _compute(session, organisation_id, read["sites"], start, end, sheets, now)
    if compare:
        before = {r.project_id: r for r in _ranking(session, organisation_id, previous_month(month), now, False,
                                                     close_day, snapshots, read).rows}
        for row in rows:
            last = before.get(row.project_id)
            if last is not None:
                row.previous_rank = last.rank
                if last.combined is not None and row.combined is not None:
                    row.change = half_up(row.combined - last.combined)
    return Ranking(month=month, start=start, end=end, sheets=sheets, rows=rows,
                   frozen=compare and now >= end and not any(r.provisional for r in rows))


def freeze(session: Session, *, organisation_id: int, month: str, now: datetime) -> Ranking:
    """The clock's part: store the month's ranking once it is final (any number of processes: one row)."""
    result = ranking(session, organisation_id=organisation_id, month=month, now=now)
    if result.frozen and not result.stored:
        session.add(RankingSnapshot(organisation_id=organisation_id, month=month, sheets=result.sheets,
                                    rows=[asdict(r) for r in result.rows], frozen_at=now))
        try:
            session.commit()
        except IntegrityError:  # frozen by another process at the same moment: the same rows
            session.rollback()
        result.stored = True
    return result


# -- the page's share of the rows ------------------------------------------------------------------------------

PAGE_SIZE = 100  # rows a page shows, ranked over every site (502 sites made the page's time grow 4× from 52)


@dataclass
class Page:
    """The rows of one page of the ranking, in its order (each keeps its rank over every site)."""
    rows: list[Row]
    number: int
    total: int  # rows on every page together (those whose name matched, if a name was searched)
    query: str = ""
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def more(self) -> bool:
        return self.number * self.size < self.total


def page_of(rows: list[Row], *, number: int = 1, query: str = "", size: int = PAGE_SIZE) -> Page:
    """Page `number` (from 1) of the rows, or of those whose name contains `query` (a site found by its name,
    with its company-wide rank); a page past the last is the last."""
    query = str(query or "").strip()[:60]
    if query:
        rows = [row for row in rows if query.casefold() in row.name.casefold()]
    number = min(max(1, int(number or 1)), max(1, -(-len(rows) // size)))
    return Page(rows=rows[(number - 1) * size:number * size], number=number, total=len(rows), query=query, size=size)


# -- the texts of a row's cells, shared by the page and the PDF (Python, not Jinja macros: a macro call per cell
# was most of the 500-site page's time) ----------------------------------------------------------------------

def score_text(row: Row, sheet: dict) -> str:
    value = row.scores.get(sheet["key"])
    return "—" if value is None else format_points(value)


def combined_text(row: Row) -> str:
    return "—" if row.combined is None else f"{row.combined:.1f}%"


def change_text(row: Row) -> str:
    if row.change is None:
        return "—"
    text = f"{row.change:+.1f}"
    if not row.previous_rank:
        return text
    previous = _("上月第 %(n)d", n=row.previous_rank)  # not inside the f-string: the extractor did not see it there
    return f"{text} ({previous})"


def figures_line(row: Row, sheets: list[dict]) -> str:
    """The PDF's line of a site's figures, a tab before each column: each sheet's score, the combined rate, the
    change against last month, last month's rank (a column of its own in the PDF, as in the workbook, so that
    every field but the last is a number shorter than one tab stop) and the inspections count, last as the only
    field whose length varies ("not inspected" and the provisional ones are in words)."""
    count = str(row.inspections) + (f" {_('本月未检查')}" if not row.inspections else "")
    if row.provisional:
        count += " " + _("(%(n)d 次暂定未计入)", n=row.provisional)
    change = "—" if row.change is None else f"{row.change:+.1f}"
    previous = str(row.previous_rank) if row.previous_rank else "—"
    return "\t".join([*(score_text(row, sheet) for sheet in sheets), combined_text(row), change, previous, count])


def cell_texts(row: Row, sheets: list[dict]) -> list[str]:
    """The page's cells of a site between its name and its inspections: each sheet's score, the combined rate, the
    change (one call a row: a call per cell from the template was a fifth of the 100-row table's time)."""
    return [*(score_text(row, sheet) for sheet in sheets), combined_text(row), change_text(row)]


CELL_TEXTS = {"cell_texts": cell_texts, "figures_line": figures_line}
