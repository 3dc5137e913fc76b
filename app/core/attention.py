"""What needs a supervisor's attention now, across every project they answer for; filled by each capability.

A capability adds its sources with `register(source)`. A source is called once per page as
source(session, project_ids, now) — the ids of the projects where the reader supervises — and returns the
items that are wrong now in those projects, with grouped queries (one statement or a few, whatever the number
of projects), like the home providers (`app/core/home.py`). Sources are registered where URLs can be built
(a capability's routes module). The list page, the acknowledgements and the digest are built on `collect`.

An item stops being listed when its record is handled (the source no longer returns it) or when someone
acknowledges it: the acknowledgement is kept per item key and level, so the item comes back when it gets worse
(its level changes: due → overdue, one missing item → two).
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlmodel import Field, Session, SQLModel, select

from app.core import audit
from app.core.db import UTCDateTime, insert_new, utcnow

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
    detail: str = ""  # one short line under the title: the missing items, the complaint's matter


@dataclass(frozen=True)
class Later:
    """An item known by what the list sorts and filters by (urgency, since, key; level), made by `make()` only
    when it is shown: a source with hundreds of lines (an admin of 500 sites) translates titles and builds links
    for the 60 the home shows, not for all of them. `collect` and `pending` return made items."""

    key: str
    project_id: int
    since: datetime
    urgency: int
    level: str
    make: Callable[[], "Item"] = field(compare=False, repr=False)


def later(key: str, project_id: int, since: datetime, urgency: int, level: str, make: Callable[[], "Item"]) -> Later:
    return Later(key=key, project_id=project_id, since=since, urgency=urgency, level=level, make=make)


def made(item) -> Item:
    return item.make() if isinstance(item, Later) else item


class Acknowledgement(SQLModel, table=True):
    """Someone saw an item at this level: it leaves the list until its level changes."""

    __tablename__ = "attention_ack"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120)
    level: str = Field(default="", max_length=40)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    user_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("key", "level"),)


FOLD = 3  # a project's items of one kind listed one by one up to this many; more are one line that counts them
# Past this many projects in one list (an admin of 500 sites), each project's items of one kind are one line that
# counts them, however few: the home shows 60 lines, and a source need not read every overdue ticket of 500 sites
FOLD_PROJECTS = 100


class Scope(list):
    """The ids of the projects a list is made for, with how many items of one kind a project lists one by one
    (`fold_at`): what `collect` hands the sources."""

    def __init__(self, project_ids, fold: int):
        super().__init__(project_ids)
        self.fold = fold


def fold_for(projects: int) -> int:
    """How many items of one kind a project lists one by one in a list of this many projects."""
    return FOLD if projects <= FOLD_PROJECTS else 0


def fold_at(project_ids) -> int:
    """A source's `limit` for its project ids (a Scope from `collect`, or a plain list: by its length)."""
    return project_ids.fold if isinstance(project_ids, Scope) else fold_for(len(project_ids))


def fold(rows, *, project_of, one, many, limit: int = FOLD) -> list[Item]:
    """The items of a source's rows, per project: `one(row)` each while a project has at most `limit` of them,
    else the single item `many(project_id, rows)` (a count with a link to the list). Folding before the items
    are made keeps a page of 30 busy sites as cheap as one of 3, and a list a supervisor can read to its end."""
    groups: dict[int, list] = {}
    for row in rows:
        groups.setdefault(project_of(row), []).append(row)
    return [item for project_id, group in groups.items()
            for item in ([one(row) for row in group] if len(group) <= limit else [many(project_id, group)])]


def register(source):
    _sources.append(source)
    return source


def _collect(session: Session, project_ids: list[int], now: datetime) -> list:
    """Every source's items (made or `Later`) for these projects, most urgent first, then the oldest first."""
    if not project_ids:
        return []
    scope = project_ids if isinstance(project_ids, Scope) else Scope(project_ids, fold_for(len(project_ids)))
    items = [item for source in _sources for item in source(session, scope, now)]
    return sorted(items, key=lambda item: (item.urgency, item.since, item.key))


def collect(session: Session, project_ids: list[int], now: datetime) -> list[Item]:
    """Every source's items for these projects, most urgent first, then the oldest first."""
    return [made(item) for item in _collect(session, project_ids, now)]


def _pending(session: Session, project_ids: list[int], now: datetime) -> list:
    items = _collect(session, project_ids, now)
    seen = set()
    keys = sorted({item.key[:120] for item in items})
    for chunk in range(0, len(keys), 500):
        seen.update(session.exec(select(Acknowledgement.key, Acknowledgement.level)
                                 .where(Acknowledgement.key.in_(keys[chunk:chunk + 500]))).all())
    return [item for item in items if (item.key[:120], item.level[:40]) not in seen]  # as stored


def pending(session: Session, project_ids: list[int], now: datetime) -> list[Item]:
    """The items nobody has acknowledged at their present level, in `collect`'s order (one more query)."""
    return [made(item) for item in _pending(session, project_ids, now)]


def pending_first(session: Session, project_ids: list[int], now: datetime, limit: int | None) -> tuple[list[Item], int]:
    """The first `limit` (None: all) of `pending`, made, and how many there are: the others are never made."""
    items = _pending(session, project_ids, now)
    return [made(item) for item in (items if limit is None else items[:limit])], len(items)


def pending_anywhere(session: Session, project_ids: list[int], now: datetime) -> list[Item]:
    """`pending` outside a request too (the clock's digest): sources build their links with url_for, which needs
    one, so a request context on the public address (PUBLIC_URL) is made for them when there is none."""
    if has_request_context():
        return pending(session, project_ids, now)
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or None):
        return pending(session, project_ids, now)


def acknowledge(session: Session, *, actor, project_id: int, key: str, level: str, now: datetime,
                listed: int = 1) -> Item | None:
    """Record that `actor` saw the item `key` of this project at `level` (audited), on a list of `listed` projects
    (which folds as that list did); the item, or None when it is no longer wrong (handled meanwhile: nothing to
    record). Twice is once."""
    item = next((i for i in _collect(session, Scope([project_id], fold_for(listed)), now) if i.key == key), None)
    if item is None:
        return None
    item = made(item)
    ack = Acknowledgement(key=key[:120], level=level[:40], project_id=project_id, user_id=actor.id, at=now)
    if insert_new(session, [ack], unique=["key", "level"]):
        saved = session.exec(select(Acknowledgement).where(Acknowledgement.key == ack.key,
                                                           Acknowledgement.level == ack.level)).one()
        audit.record(session, actor=actor, action="attention.acknowledge", obj=saved, project_id=project_id,
                     after={"key": key, "level": level, "title": item.title})
    return item
