"""A month's figures of every site as counts: stored once the month is final, computed live until then.

What each figure of a calendar month M (the company's time zone) depends on, and when it stops changing:
- 巡更完成率: the rounds whose slot starts in M, once settled (`patrols.settle`, minutes after a round closes; an
  outcome is written once, never changed). The month's last rounds close and settle hours into the next month.
- 报修 完成率 / 按时 / 回访 / 满意: the tickets created in M (by the server's clock: none is added to M later), with
  whether each was cancelled, completed, on time, called back and reached, and satisfied. A ticket changes until
  it is closed or cancelled: one finished on the 31st is called back days later, one an unsatisfied callback
  reopened is finished again, a major repair is due 60 days after it came in, and an open ticket can stay open
  for months. So these figures can still change long after M.
- 投诉 处理及时率: the complaints received in M, counted once replied or past their handling deadline (the end of
  the day for the desk's own, `transfer_days` — 3 by default — for another department's): settled within days.
- 检查 综合得分率 and 排名: M's ranking (its own close-day period), final once the inspections clock has stored
  it (`inspections.ranking.freeze`: every inspection effective, at most the objection window after the close).

A late change can always arrive (an open ticket), so M is made final as the ranking is, after a grace period:
the clock (`month.freeze`) stores M's counts once M's ranking is stored and `MONTH_FREEZE_DAYS` (7) have
passed since M ended — time for the rounds to settle, the complaints to fall due, the callbacks of the month's
last tickets and the ranking's objection window. Stored counts are the live ones at that moment; later changes
to M's records do not move them (a month people have been given, like the ranking), while each capability's
own pages (the repair figures, the complaints' month report) keep following later changes. The matrix reads the stored
months; the months not final yet the clock counts every DRAFT_EVERY (`month.count`) and keeps as drafts, so a
page of 500 sites reads a row a month and says when its open months were counted. A month with no recent draft
(the clock stopped, or an older month a blocked ranking left open) is counted live.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, delete, select

from app.complaints.reports import on_time_by_month
from app.core.db import insert_new, upsert
from app.inspections import ranking
from app.month.models import MonthDraft, MonthFigures
from app.patrols.services import completion_by_month
from app.projects.services import organisation_projects
from app.repairs.figures import RATE_FIELDS, Tally, month_bounds, months_back, tallies_by_month

HORIZON = 18  # months back the clock stores: a year of matrices (each shows six months)
DRAFT_MONTHS = 6  # the months the clock counts while not final: this one and the five before, as its page shows
DRAFT_EVERY = timedelta(minutes=5)
DRAFT_FRESH = timedelta(minutes=15)  # an older draft (the clock has stopped) is not read: its month is counted live


@dataclass
class Counts:
    """What one site's figures of one month are made of (the rates are divided when shown)."""

    rounds: tuple[int, int] = (0, 0)  # (settled, walked in full)
    tally: Tally = field(default_factory=Tally)  # the RATE_FIELDS of the month's tickets
    complaints: tuple[int, int] = (0, 0)  # (due, handled on time)
    inspection: float | None = None  # the ranking's combined score
    rank: int | None = None

    def stored(self) -> dict:
        return {"rounds": list(self.rounds), "tally": {name: getattr(self.tally, name) for name in RATE_FIELDS},
                "complaints": list(self.complaints), "inspection": self.inspection, "rank": self.rank}

    @classmethod
    def from_stored(cls, data: dict) -> "Counts":
        return cls(tuple(data.get("rounds", (0, 0))), Tally(**data.get("tally", {})),
                   tuple(data.get("complaints", (0, 0))), data.get("inspection"), data.get("rank"))


NOTHING = Counts()  # a site without a record that month


def label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def live(session: Session, *, organisation_id: int, project_ids: list[int], months: list[tuple[int, int]], tz: str,
         now: datetime) -> list[dict[int, Counts]]:
    """Each month's counts per site with any, as they stand at `now`: one grouped query per capability over the
    months (consecutive, oldest first), and each month's ranking."""
    bounds = [month_bounds(y, m, tz)[0] for y, m in months] + [month_bounds(*months[-1], tz)[1]]
    patrols = completion_by_month(session, project_ids=project_ids, bounds=bounds)
    repairs = tallies_by_month(session, project_ids=project_ids, bounds=bounds)
    complaints = on_time_by_month(session, project_ids=project_ids, bounds=bounds, now=now)
    out = [{} for _m in months]
    for i, (year, month) in enumerate(months):
        for row in ranking.ranking(session, organisation_id=organisation_id, month=label(year, month), now=now,
                                   compare=False).rows:
            if row.combined is not None:
                out[i][row.project_id] = Counts(inspection=row.combined, rank=row.rank)
    for source, name in ((patrols, "rounds"), (repairs, "tally"), (complaints, "complaints")):
        for (project_id, i), value in source.items():
            setattr(out[i].setdefault(project_id, Counts()), name, value)
    return out


def _kept(counts: dict[int, Counts]) -> dict:
    """A month's counts as `month_figures` and `month_draft` keep them: {project id as text: counts}."""
    return {str(project_id): c.stored() for project_id, c in counts.items()}


def _read(sites: dict) -> dict[int, Counts]:
    return {int(key): Counts.from_stored(data) for key, data in sites.items()}


def _live_every_site(session: Session, *, organisation_id: int, months: list[tuple[int, int]], tz: str,
                     now: datetime) -> list[dict[int, Counts]]:
    """`live` over every site of the organisation, archived ones too (one may come back): what the clock keeps."""
    ids = [p.id for p in organisation_projects(session, organisation_id, active_only=False)]
    return live(session, organisation_id=organisation_id, project_ids=ids, months=months, tz=tz, now=now)


def stored(session: Session, *, organisation_id: int, labels: list[str]) -> dict[str, dict[int, Counts]]:
    """The stored months among `labels`: {month: {project id: counts}}."""
    rows = session.exec(select(MonthFigures.month, MonthFigures.sites).where(
        MonthFigures.organisation_id == organisation_id, MonthFigures.month.in_(labels))).all()
    return {month: _read(sites) for month, sites in rows}


def drafts(session: Session, *, organisation_id: int, labels: list[str], now: datetime,
           ) -> dict[str, tuple[datetime, dict[int, Counts]]]:
    """The months among `labels` the clock counted within DRAFT_FRESH: {month: (counted at, {project id: counts})}."""
    if not labels:
        return {}
    rows = session.exec(select(MonthDraft.month, MonthDraft.counted_at, MonthDraft.sites).where(
        MonthDraft.organisation_id == organisation_id, MonthDraft.month.in_(labels),
        MonthDraft.counted_at > now - DRAFT_FRESH)).all()
    return {month: (at, _read(sites)) for month, at, sites in rows}


def figures(session: Session, *, organisation_id: int, project_ids: list[int], months: list[tuple[int, int]],
            tz: str, now: datetime) -> tuple[list[dict[int, Counts]], datetime | None]:
    """Each month's counts per site (absent: NOTHING) and when the oldest draft read was counted (None: no draft
    read): the stored months read, then the clock's recent drafts, the others computed live."""
    labels = [label(*m) for m in months]
    kept = stored(session, organisation_id=organisation_id, labels=labels)
    drafted = drafts(session, organisation_id=organisation_id, labels=[m for m in labels if m not in kept], now=now)
    kept.update({month: sites for month, (_at, sites) in drafted.items()})
    missing = [i for i, m in enumerate(labels) if m not in kept]
    counted = {}
    if missing:
        span = range(missing[0], missing[-1] + 1)
        counted = dict(zip(span, live(session, organisation_id=organisation_id, project_ids=project_ids,
                                      months=[months[i] for i in span], tz=tz, now=now), strict=True))
    return ([kept[m] if m in kept else counted[i] for i, m in enumerate(labels)],
            min((at for at, _sites in drafted.values()), default=None))


def last_final(now: datetime, tz: str, grace: timedelta) -> tuple[int, int]:
    """The latest month whose grace period has passed (it ended at least `grace` before `now`)."""
    start = month_bounds(*_month_of(now - grace, tz), tz)[0]
    before = start - timedelta(days=1)
    return _month_of(before, tz)


def _month_of(moment: datetime, tz: str) -> tuple[int, int]:
    local = moment.astimezone(ZoneInfo(tz))
    return local.year, local.month


def unstored(session: Session, *, organisation_id: int, labels: list[str]) -> list[str]:
    """The months among `labels` not stored yet."""
    have = set(session.exec(select(MonthFigures.month).where(MonthFigures.organisation_id == organisation_id,
                                                             MonthFigures.month.in_(labels))).all())
    return [month for month in labels if month not in have]


def freeze(session: Session, *, organisation_id: int, now: datetime, tz: str, grace: timedelta) -> list[str]:
    """The clock's part: store each of the last HORIZON months that is final and not stored yet, with the counts
    of every site of the organisation (archived ones too: one may come back). Any number of processes at once:
    one row a month (INSERT … ON CONFLICT DO NOTHING). Returns the months this call stored."""
    months = months_back(*last_final(now, tz, grace), HORIZON)[::-1]
    missing = set(unstored(session, organisation_id=organisation_id, labels=[label(*m) for m in months]))
    final = [i for i, m in enumerate(months) if label(*m) in missing and ranking.freeze(
        session, organisation_id=organisation_id, month=label(*m), now=now).stored]
    if not final:
        return []
    span = months[final[0]:final[-1] + 1]
    counted = _live_every_site(session, organisation_id=organisation_id, months=span, tz=tz, now=now)
    rows = [MonthFigures(organisation_id=organisation_id, month=label(*month), frozen_at=now, sites=_kept(counts))
            for i, (month, counts) in enumerate(zip(span, counted, strict=True), start=final[0]) if i in final]
    done = insert_new(session, rows, unique=["organisation_id", "month"], returning=MonthFigures.month)
    session.commit()
    return done


def count_open(session: Session, *, organisation_id: int, now: datetime, tz: str) -> list[str]:
    """The clock's part for the months not final yet: of this month and the DRAFT_MONTHS - 1 before, each one not
    stored is counted live for every site of the organisation and kept with the time (a row a month, rewritten at
    each count); the drafts of months stored since are dropped. Returns the months counted."""
    months = months_back(*_month_of(now, tz), DRAFT_MONTHS)[::-1]
    labels = [label(*m) for m in months]
    open_months = unstored(session, organisation_id=organisation_id, labels=labels)
    drafts = []  # counted before anything is written: SQLite's write lock is held only for the writes
    if open_months:
        span = months[labels.index(open_months[0]):]  # consecutive, as `live` counts them
        counted = _live_every_site(session, organisation_id=organisation_id, months=span, tz=tz, now=now)
        drafts = [{"organisation_id": organisation_id, "month": label(*month), "counted_at": now, "sites": _kept(counts)}
                  for month, counts in zip(span, counted, strict=True) if label(*month) in open_months]
    session.exec(delete(MonthDraft).where(MonthDraft.organisation_id == organisation_id,
                                          MonthDraft.month.not_in(open_months)))
    upsert(session, MonthDraft.__table__, drafts, unique=["organisation_id", "month"])
    session.commit()
    return open_months
