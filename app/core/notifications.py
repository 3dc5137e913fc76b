"""In-app notifications: the bell with an unread count (dispatched to you, overdue, reopened…).

A notification stores an event type, its parameters and a link (an endpoint and its arguments), never a
finished sentence: it is rendered in the reader's language when it is read. Each capability registers the
events it raises with `event(name, render)`, where `render(params)` returns the text through gettext /
ngettext, so the bell, the channels and e-mail all say it in the recipient's language.
"""
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from sqlmodel import JSON, Field, Session, SQLModel, func, select

from app.core.db import UTCDateTime, insert_new, utcnow


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], index=True)
    project_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    event: str = Field(default="", max_length=60)  # "repairs.dispatched"; rendered by the registered function
    params: dict = Field(default_factory=dict, sa_type=JSON)
    link: dict = Field(default_factory=dict, sa_type=JSON)  # {"endpoint": "repairs.ticket", "args": {...}}
    text: str = Field(default="", max_length=200)  # rows made before events existed keep their sentence
    url: str = Field(default="", max_length=255)
    key: str = Field(default="", max_length=80)  # "overdue:42": the same alert is not repeated
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_notification_unread", "user_id", "read_at"),
                      # a keyed alert reaches each reader once, even raised by two requests at the same moment
                      sa.Index("uq_notification_user_key", "user_id", "key", unique=True,
                               sqlite_where=sa.text("key != ''"), postgresql_where=sa.text("key != ''")))


EVENTS: dict[str, Callable[[dict], str]] = {}


def event(name: str, render: Callable[[dict], str]) -> str:
    """Register how an event reads; `render(params)` runs in the reader's locale. Returns the name."""
    EVENTS[name] = render
    return name


def link(endpoint: str, **args) -> dict:
    """Where a notification leads: built into a URL only when it is shown."""
    return {"endpoint": endpoint, "args": args}


def text_of(notification: Notification) -> str:
    """The notification in the current locale (force_locale it for a recipient outside a request)."""
    render = EVENTS.get(notification.event)
    if render is None:
        return notification.text
    return str(render(dict(notification.params or {})))


def text_in(notification: Notification, locale: str) -> str:
    """The notification in a given language, outside a request too (the clock, channels, e-mail): the recipient's
    `user.locale`, or a channel's. Needs an app context for the catalogues."""
    with force_locale(locale):
        return text_of(notification)


# Capabilities that carry notifications further (the channels) register listener(session, added): it runs inside
# notify(), in the transaction of the change announced, so whatever it adds commits or rolls back with it.
_listeners: list[Callable] = []


def on_notify(fn: Callable) -> Callable:
    _listeners.append(fn)
    return fn


def notify(session: Session, *, user_ids, event: str, params: dict | None = None, link: dict | None = None,
           project_id: int | None = None, key: str = "") -> list[Notification]:
    """Add a notification for each user (once per `key`, even from two requests at the same moment: the second
    adds nothing and fails nothing); it commits with the change it announces. Returns the ones added."""
    if event not in EVENTS:
        raise KeyError(f"notification event {event!r} is not registered")
    rows = [Notification(user_id=user_id, project_id=project_id, event=event, params=params or {}, link=link or {},
                         key=key[:80]) for user_id in sorted(set(user_ids))]
    made = set(insert_new(session, rows, unique=["user_id", "key"], where=sa.text("key != ''"),
                          returning=Notification.user_id))
    added = [row for row in rows if row.user_id in made]
    if added:
        for listener in _listeners:
            listener(session, added)
    return added


def unread_count(session: Session, user_id: int) -> int:
    return session.exec(select(func.count()).select_from(Notification)
                        .where(Notification.user_id == user_id, Notification.read_at.is_(None))).one()


def latest(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return session.exec(select(Notification).where(Notification.user_id == user_id)
                        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def mark_all_read(session: Session, user_id: int) -> None:
    session.exec(sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                 .values(read_at=utcnow()))
    session.commit()
