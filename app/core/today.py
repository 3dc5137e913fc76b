"""Today by project: one compact row of figures per project under the supervisor's needs-attention list.

A capability adds its columns with `register(*columns)` on a provider called once per page as
provider(session, project_ids, now) -> {project id: {column key: Cell}}, with grouped queries (the statement
count does not grow with the number of projects). Columns show in the order of their `order`.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

_providers = []


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string: translated when shown
    order: int
    hint: object = ""  # the header's title: what the figures are ("已巡 / 应巡 / 漏巡")


@dataclass(frozen=True)
class Cell:
    text: str
    sort: float = 0  # what the column sorts by
    alert: bool = False  # shown as a problem


@dataclass
class Row:
    project: object
    cells: dict[str, Cell] = field(default_factory=dict)


def register(*columns: Column):
    def decorator(provider):
        _providers.append((columns, provider))
        return provider
    return decorator


def columns() -> list[Column]:
    return sorted((c for cols, _p in _providers for c in cols), key=lambda c: (c.order, c.key))


def rows(session: Session, projects: list, now: datetime) -> list[Row]:
    """One row per project, in the order given."""
    out = {p.id: Row(project=p) for p in projects}
    if out:
        for _columns, provider in _providers:
            for project_id, cells in provider(session, list(out), now).items():
                out[project_id].cells.update(cells)
    return list(out.values())
