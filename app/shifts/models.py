"""Posts and shifts of sales sites and estates: posts, shift patterns, the shift log (交接班记录 / 值班记录),
guards' hand-overs of matters and equipment, and the water bar (接待物耗日记表)."""
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class Post(SQLModel, table=True):
    """A post: of the sales centre (水吧, 接待, 样板间 A…) or a guard's (车场岗, 大堂岗, 监控岗…)."""

    __tablename__ = "shift_post"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    active: bool = Field(default=True)
    kind: str = Field(default="sales", max_length=12)  # sales | car_park | greeter | lobby | monitoring | patrol
    always_manned: bool = Field(default=False)  # 24小时值守: nobody on it is a gap the supervisor must see

    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)


class ShiftPattern(SQLModel, table=True):
    """A shift on the local clock: 早班 8:00-17:00, or 夜班 20:00-08:00 (an `end` before `start` is the next day)."""

    __tablename__ = "shift_pattern"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    start: time
    end: time
    active: bool = Field(default=True)

    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)

    @property
    def overnight(self) -> bool:
        """It ends the next day (夜班 20:00-08:00)."""
        return self.end < self.start


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
    shift_day: date  # the local day the shift began: a 02:00 clock-in on a 20:00-08:00 shift is the night before's
    # Until when a shift never clocked out still takes the phone's records: the later of the end of its local
    # day and its scheduled end + OVERTIME (set at clock-in, so queries need no pattern arithmetic).
    covers_until: datetime = Field(sa_type=UTCDateTime)
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
    text: str = Field(max_length=500)  # on a monitoring post (监控岗): what was seen
    camera: str = Field(default="", max_length=40)  # 监控岗: on which camera
    action: str = Field(default="", max_length=500)  # 监控岗: what was done about it


class PostEquipment(SQLModel, table=True):
    """What a post holds and passes from shift to shift: 对讲机 2, 钥匙 5."""

    __tablename__ = "post_equipment"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    count: int = Field(default=1)
    position: int = Field(default=0)


class DutyHandover(SQLModel, table=True):
    """A guard's hand-over of the post to the next shift (交接班): its equipment counted, its open matters; the
    next guard receives it (matching) or notes a difference, which a supervisor settles.
    handed → received | differs → settled."""

    __tablename__ = "duty_handover"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")])
    attendance_id: int = Field(sa_column_args=[sa.ForeignKey("shift_attendance.id", ondelete="CASCADE")])
    handed_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    handed_at: datetime = Field(sa_type=UTCDateTime)
    note: str = Field(default="", max_length=500)
    status: str = Field(default="handed", max_length=10)
    received_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    receive_note: str = Field(default="", max_length=500)  # what differs, in the receiver's words
    settled_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    settle_note: str = Field(default="", max_length=200)

    __table_args__ = (sa.Index("ix_duty_handover_status", "project_id", "status"),)


class DutyHandoverItem(SQLModel, table=True):
    """One line of equipment in a hand-over: how many were handed, how many the next guard found."""

    __tablename__ = "duty_handover_item"

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(sa_column_args=[sa.ForeignKey("duty_handover.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=40)
    handed: int
    received: int | None = None


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
