"""What needs a supervisor's attention now, across every project they answer for; filled by each capability.

A capability adds its sources with `register(source)`. A source is called once per page as
source(session, project_ids, now) — the ids of the projects where the reader supervises — and returns the
items that are wrong now in those projects, with grouped queries (one statement or a few, whatever the number
of projects), like the home providers (`app/core/home.py`). Sources are registered where URLs can be built
(a capability's routes module). The list page, the acknowledgements and the digest are built on `collect`.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

_sources = []

# Urgency, most urgent first when the list is sorted.
CRITICAL, HIGH, NORMAL, LOW = 0, 1, 2, 3


@dataclass(frozen=True)
class Item:
    key: str  # stable identity of the matter, "patrols.missed:123": an acknowledgement refers to it
    project_id: int
    title: str  # what, translated: "巡更漏巡:夜间巡逻 02:00"
    since: datetime  # UTC: when it became wrong (due time passed, reported, …)
    url: str  # one tap to the record
    urgency: int = NORMAL
    place: str = ""  # area / post / unit
    holder: str = ""  # who holds it now (display name), "" when nobody
    action: str = ""  # label of the one action the record page offers first ("派单", "确认")
    # What makes it worse: an acknowledged item comes back when its level changes (due → overdue, say).
    level: str = ""


def register(source):
    _sources.append(source)
    return source


def collect(session: Session, project_ids: list[int], now: datetime) -> list[Item]:
    """Every source's items for these projects, most urgent first, then the oldest first."""
    if not project_ids:
        return []
    items = [item for source in _sources for item in source(session, project_ids, now)]
    return sorted(items, key=lambda item: (item.urgency, item.since, item.key))
