"""In-app notifications: the bell with an unread count (dispatched to you, overdue, reopened…)."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, func, select

from app.core.db import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], index=True)
    project_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    text: str = Field(max_length=200)
    url: str = Field(default="", max_length=255)
    key: str = Field(default="", max_length=80)  # "overdue:42": the same alert is not repeated
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_notification_unread", "user_id", "read_at"),)


def notify(session: Session, *, user_ids, text: str, url: str = "", project_id: int | None = None, key: str = "") -> None:
    """Add a notification for each user (once per `key`); it commits with the change it announces."""
    for user_id in set(user_ids):
        if key and session.exec(select(Notification.id).where(Notification.user_id == user_id,
                                                               Notification.key == key)).first():
            continue
        session.add(Notification(user_id=user_id, project_id=project_id, text=text[:200], url=url[:255], key=key[:80]))


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


# Capabilities that raise alerts from the clock (overdue tickets…) register a function
# refresher(session, user, now) -> None; they run when the bell is polled.
_refreshers = []


def register_refresher(fn):
    _refreshers.append(fn)
    return fn


def refresh(session: Session, user, now: datetime) -> None:
    for fn in _refreshers:
        fn(session, user, now)
    session.commit()
