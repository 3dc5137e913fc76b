"""The month's incident figure: how many of each type in each project, and how many were severe or are still open.

An incident counts in the local calendar month it happened in (`occurred_at`, the company's time zone), whatever
month it was written down or closed in. "Severe" is serious or critical; "open" is not closed when the figure is
read. One grouped query for every project at once.
"""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.core.db import among
from app.incidents.labels import KIND_LABELS
from app.incidents.models import KINDS, Incident
from app.incidents.workflow import OPEN


@dataclass
class Row:
    kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    total: int = 0
    severe: int = 0  # serious or critical
    critical: int = 0
    open: int = 0

    def add(self, kind: str, severity: str, still_open: bool, n: int) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + n
        self.total += n
        self.severe += n if severity != "minor" else 0
        self.critical += n if severity == "critical" else 0
        self.open += n if still_open else 0


@dataclass
class Figure:
    start: datetime
    end: datetime
    projects: dict[int, Row]  # in the order given
    total: Row


def month_figure(session: Session, project_ids: list[int], start: datetime, end: datetime) -> Figure:
    """The incidents that happened in [start, end) in these projects, by project and type."""
    rows = {i: Row() for i in project_ids}
    total = Row()
    if project_ids:
        still_open = Incident.status.in_(OPEN)
        stmt = (select(Incident.project_id, Incident.kind, Incident.severity, still_open.label("still_open"),
                       sa.func.count().label("n"))
                .where(among(Incident.project_id, project_ids), Incident.occurred_at >= start,
                       Incident.occurred_at < end)
                .group_by(Incident.project_id, Incident.kind, Incident.severity, still_open))
        for project_id, kind, severity, is_open, n in session.exec(stmt).all():
            rows[project_id].add(kind, severity, bool(is_open), n)
            total.add(kind, severity, bool(is_open), n)
    return Figure(start=start, end=end, projects=rows, total=total)


def csv_rows(figure: Figure, names: dict[int, str]) -> list[list]:
    """The figure as a sheet: one row per project (its totals, then a column per type), then the totals."""
    header = [_("项目"), _("合计"), _("严重及以上"), _("紧急"), _("未关闭"), *(str(KIND_LABELS[k]) for k in KINDS)]

    def line(name: str, row: Row) -> list:
        return [name, row.total, row.severe, row.critical, row.open, *(row.kinds[k] for k in KINDS)]

    return [header, *(line(names[i], row) for i, row in figure.projects.items()), line(_("合计"), figure.total)]
