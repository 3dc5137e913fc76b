"""The month, for managers: every site × the figures the seeds report, this month against last, six months of trend.

Each figure comes from the capability that owns it, counted for all the organisation's sites in one grouped
query per capability (the periods are the company time zone's calendar months, bucketed in SQL):
- 巡更完成率: rounds walked in full (done or late) ÷ rounds the clock has settled (`patrols.completion_by_month`);
- 报修 完成率 / 按时完成率 / 回访率 / 满意率: the monthly repair figures (`repairs.figures.tallies_by_month`);
- 投诉 处理及时率: handled by the deadline ÷ replied or past it (`complaints.reports.on_time_by_month`);
- 检查 综合得分率 and 排名: the monthly ranking of that month (`inspections.ranking`, its own close-day period).
A figure without a denominator is None ("—"). The statement count does not depend on the number of sites.
A month stored as final by the clock is read as stored, the others are counted live (`app.month.figures`).
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.month.figures import NOTHING, Counts, figures, label
from app.projects.services import organisation_projects
from app.repairs.figures import Tally, month_bounds, months_back
from app.reports.xlsx_export import Column, Sheet

SPAN = 6  # months of trend, the month shown included


@dataclass(frozen=True)
class Measure:
    key: str
    group: str
    label: str
    kind: str = "rate"  # rate (0-1, shown as %), score (a percentage already), rank (1 is best)

    @property
    def higher_is_better(self) -> bool:
        return self.kind != "rank"


MEASURES = (
    Measure("patrol", _l("巡更"), _l("完成率")),
    Measure("repair_completion", _l("报修"), _l("完成率")),
    Measure("repair_on_time", _l("报修"), _l("按时完成率")),
    Measure("repair_callback", _l("报修"), _l("回访率")),
    Measure("repair_satisfaction", _l("报修"), _l("满意率")),
    Measure("complaint_on_time", _l("投诉"), _l("处理及时率")),
    Measure("inspection", _l("案场检查"), _l("综合得分率"), "score"),
    Measure("rank", _l("案场检查"), _l("排名"), "rank"),
)
KEYS = tuple(m.key for m in MEASURES)


@dataclass
class Site:
    project_id: int | None  # None: the company as a whole
    name: str
    series: dict[str, list[float | None]] = field(default_factory=dict)  # measure → SPAN values, oldest first

    def now(self, key: str) -> float | None:
        return self.series[key][-1]

    def before(self, key: str) -> float | None:
        return self.series[key][-2]

    def change(self, key: str) -> float | None:
        now, before = self.now(key), self.before(key)
        return None if now is None or before is None else now - before


@dataclass
class Matrix:
    organisation_id: int
    month: str  # YYYY-MM
    months: list[str]  # the SPAN months of the series, oldest first
    start: datetime
    end: datetime
    sites: list[Site]
    company: Site
    counted_at: datetime | None = None  # when the clock counted the months not final yet (None: counted just now)


def _rate(part, whole) -> float | None:
    return part / whole if whole else None


def _series(counts: list[Counts]) -> dict[str, list]:
    tallies = [c.tally for c in counts]
    return {"patrol": [_rate(done, settled) for settled, done in (c.rounds for c in counts)],
            "repair_completion": [t.completion_rate for t in tallies], "repair_on_time": [t.on_time_rate for t in tallies],
            "repair_callback": [t.callback_rate for t in tallies],
            "repair_satisfaction": [t.satisfaction_rate for t in tallies],
            "complaint_on_time": [_rate(on_time, due) for due, on_time in (c.complaints for c in counts)],
            "inspection": [c.inspection for c in counts], "rank": [c.rank for c in counts]}


def _total(counts: list[Counts]) -> Counts:
    """The company's counts of a month: the sites' summed (no score or rank of its own)."""
    tally = sum((c.tally for c in counts), Tally())
    return Counts((sum(c.rounds[0] for c in counts), sum(c.rounds[1] for c in counts)), tally,
                  (sum(c.complaints[0] for c in counts), sum(c.complaints[1] for c in counts)))


def month_matrix(session: Session, *, organisation_id: int, year: int, month: int, tz: str, now: datetime) -> Matrix:
    """The organisation's active sites with SPAN months of every measure, the month asked for last (the months
    stored as final read, the others as the clock last counted them or live: `app.month.figures`)."""
    projects = organisation_projects(session, organisation_id)
    periods = months_back(year, month, SPAN)[::-1]
    counted, counted_at = figures(session, organisation_id=organisation_id, project_ids=[p.id for p in projects],
                                  months=periods, tz=tz, now=now)
    sites = [Site(p.id, p.name, _series([month.get(p.id, NOTHING) for month in counted])) for p in projects]
    company = Site(None, "", _series([_total([month[p.id] for p in projects if p.id in month]) for month in counted]))
    start, end = month_bounds(year, month, tz)
    return Matrix(organisation_id=organisation_id, month=label(year, month), months=[label(*m) for m in periods],
                  start=start, end=end, sites=sites, company=company,
                  counted_at=counted_at)


def sort_sites(sites: list[Site], key: str, descending: bool) -> list[Site]:
    """Sites by this month's value of a measure (or by name); sites without a value last, whichever the order."""
    if key not in KEYS:
        return sorted(sites, key=lambda s: s.name, reverse=descending)
    valued = sorted((s for s in sites if s.now(key) is not None), key=lambda s: (s.now(key), s.name),
                    reverse=descending)
    return valued + [s for s in sites if s.now(key) is None]


# -- presentation helpers shared by the page, the PDF and the sheets -----------------------------------------

def shown(measure: Measure, value: float | None) -> str:
    if value is None:
        return "—"
    if measure.kind == "rank":
        return str(int(value))
    return f"{value * 100 if measure.kind == 'rate' else value:.1f}%"


def change_text(measure: Measure, change: float | None) -> str:
    """"+2.5" points (rates and scores) or "+3" places (rank: a smaller number is a gain, shown as "▲3")."""
    if change is None:
        return ""
    if measure.kind == "rank":
        return "" if not change else f"{'▼' if change > 0 else '▲'}{abs(int(change))}"
    points = change * 100 if measure.kind == "rate" else change
    return f"{points:+.1f}"


def better(measure: Measure, change: float | None) -> bool | None:
    """Whether the change is for the better (None: no change or unknown)."""
    if not change:
        return None
    return (change > 0) == measure.higher_is_better


def spark_points(measure: Measure, values: list[float | None], width: int = 48, height: int = 14) -> str:
    """The polyline points of a sparkline over the months with a value (better is up, whatever the measure)."""
    heights = _heights(measure, values)
    step = width / (len(values) - 1)
    points = [f"{i * step:.1f},{1 + (height - 2) * (1 - up):.1f}" for i, up in enumerate(heights) if up is not None]
    return " ".join(points) if len(points) > 1 else ""


def _heights(measure: Measure, values: list[float | None]) -> list[float | None]:
    """Each month's height in a sparkline, 0 (worst of the months) to 1 (best); None where there is no figure. The
    range is at least 10 points (5 places), so that noise stays flat."""
    numbers = [None if v is None else v * 100 if measure.kind == "rate" else v for v in values]
    known = [n for n in numbers if n is not None]
    if not known:
        return numbers
    least = 5 if measure.kind == "rank" else 10
    low, high = min(known), max(known)
    if high - low < least:
        low, high = (low + high - least) / 2, (low + high + least) / 2
    return [None if n is None else (high - n if measure.kind == "rank" else n - low) / (high - low) for n in numbers]


BLOCKS = "▁▂▃▄▅▆▇█"


def spark_text(measure: Measure, values: list[float | None]) -> str:
    """The sparkline as block characters, a month each (a space for a month without a figure): the PDF's, where
    4,000 small SVGs took WeasyPrint over a minute and a column of text takes nothing."""
    heights = _heights(measure, values)
    if sum(up is not None for up in heights) < 2:
        return ""
    return "".join(" " if up is None else BLOCKS[round(up * (len(BLOCKS) - 1))] for up in heights)


@dataclass(frozen=True)
class Cell:
    """One site × measure as the page and the PDF print it (made in Python: 4,000 of them for 500 sites)."""

    now: str
    change: str
    tone: str  # "up" (for the better), "down" or ""
    points: str  # the sparkline's, "" without two months to draw
    before: str


def cells(site: Site) -> list[Cell]:
    out = []
    for m in MEASURES:
        change = site.change(m.key)
        good = better(m, change)
        out.append(Cell(shown(m, site.now(m.key)), change_text(m, change), "" if good is None else "up" if good else "down",
                        spark_points(m, site.series[m.key]), shown(m, site.before(m.key))))
    return out


def sheet(matrix: Matrix) -> tuple[list[str], list[list]]:
    """(headers, rows) of the matrix for a spreadsheet: per measure this month and last, a row per site, then the
    company. Values are numbers (rates as fractions, None as empty), so the CSV and an XLSX export format them."""
    headers = [str(_l("项目"))]
    for m in MEASURES:
        headers += [f"{m.group} {m.label} {matrix.months[-1]}", f"{m.group} {m.label} {matrix.months[-2]}"]
    rows = []
    for site in [*matrix.sites, matrix.company]:
        row = [site.name or str(_l("全公司"))]
        for m in MEASURES:
            row += [site.now(m.key), site.before(m.key)]
        rows.append(row)
    return headers, rows


NUMBER_FORMATS = {"rate": "0.0%", "score": "0.0", "rank": "0"}


def xlsx_sheet(matrix: Matrix) -> Sheet:
    """The sheet as a workbook's table: rates, scores and ranks as numbers that sort, each in its own format."""
    headers, rows = sheet(matrix)
    kinds = [m.kind for m in MEASURES for _month in range(2)]
    return Sheet(str(_l("月度指标")), [headers[0], *(Column(h, NUMBER_FORMATS[k]) for h, k in zip(headers[1:], kinds,
                                                                                               strict=True))], rows)


def _cell(value, kind: str | None) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:.1f}" if kind == "score" else str(value)


def csv_rows(matrix: Matrix) -> list[list[str]]:
    """The sheet as CSV text: rates as "87.5%", scores with one decimal, empty where there is no figure."""
    headers, rows = sheet(matrix)
    kinds = [None, *(m.kind for m in MEASURES for _month in range(2))]
    return [headers, *([_cell(value, kind) for value, kind in zip(row, kinds, strict=True)] for row in rows)]
