"""Sales-centre shifts: posts, shift patterns, the shift log (交接班记录) and the water bar (接待物耗日记表)."""
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class Post(SQLModel, table=True):
    """A post of the sales centre: 水吧, 接待, 样板间 A…"""

    __tablename__ = "shift_post"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    active: bool = Field(default=True)

    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)


class ShiftPattern(SQLModel, table=True):
    """A shift on the local clock: 早班 8:00-17:00. Sales-centre shifts are day shifts: `end` is after `start`."""

    __tablename__ = "shift_pattern"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    start: time
    end: time
    active: bool = Field(default=True)

    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)


class Attendance(SQLModel, table=True):
    """One person on one post for one shift: the shift log's header, with its visitor counter."""

    __tablename__ = "shift_attendance"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")])
    pattern_id: int = Field(sa_column_args=[sa.ForeignKey("shift_pattern.id", ondelete="CASCADE")])
    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    visitors: int = Field(default=0)  # only ever increased by an SQL "+ n": taps from several phones add up
    # No clock-out: ended at the shift's scheduled end when the person next clocked in.
    closed_unclocked: bool = Field(default=False)


class ShiftEvent(SQLModel, table=True):
    """Something that happened during a shift (free text, optional photos as Photo rows "shift_event")."""

    __tablename__ = "shift_event"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    attendance_id: int = Field(sa_column_args=[sa.ForeignKey("shift_attendance.id", ondelete="CASCADE")], index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    text: str = Field(max_length=500)


class Matter(SQLModel, table=True):
    """An open matter handed to the next shift: open → acknowledged (by someone else) → closed."""

    __tablename__ = "shift_matter"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    attendance_id: int = Field(sa_column_args=[sa.ForeignKey("shift_attendance.id", ondelete="CASCADE")])
    text: str = Field(max_length=500)
    raised_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    raised_at: datetime = Field(sa_type=UTCDateTime)
    acknowledged_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_note: str = Field(default="", max_length=200)

    __table_args__ = (sa.Index("ix_shift_matter_open", "project_id", "closed_at"),)


class WaterItem(SQLModel, table=True):
    """A drink, snack or consumable of the water bar, with the stock it started from."""

    __tablename__ = "water_item"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    unit: str = Field(max_length=10)
    min_stock: int = Field(default=0)
    initial_stock: int = Field(default=0)  # 期初库存: the opening stock before the first count
    active: bool = Field(default=True)

    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)


class WaterEntry(SQLModel, table=True):
    """Quantities used and restocked, added to a local day; one row per outbox record, so they only add up."""

    __tablename__ = "water_entry"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    item_id: int = Field(sa_column_args=[sa.ForeignKey("water_item.id", ondelete="CASCADE")])
    day: date
    used: int = Field(default=0)
    restocked: int = Field(default=0)
    user_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    at: datetime = Field(sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_water_entry_item_day", "item_id", "day"),)


class WaterCount(SQLModel, table=True):
    """The end-of-day stock count (17:15) of one item; a later count of the same day replaces it."""

    __tablename__ = "water_count"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    item_id: int = Field(sa_column_args=[sa.ForeignKey("water_item.id", ondelete="CASCADE")])
    day: date
    counted: int
    user_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    at: datetime = Field(sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("item_id", "day"),)


class RestockRequest(SQLModel, table=True):
    """An item under its minimum stock, put to the supervisor: pending → approved / declined (with a reason)."""

    __tablename__ = "restock_request"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    item_id: int = Field(sa_column_args=[sa.ForeignKey("water_item.id", ondelete="CASCADE")])
    stock: int  # the book stock when it fell under the minimum
    requested_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=10)  # pending | approved | declined
    decided_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=200)
