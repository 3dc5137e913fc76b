"""Sample rooms (样板间), their versioned inventories, handovers between attendants, and opening/closing checks."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow

CATEGORIES = ("灯具", "家私", "餐具", "寝具", "饰品", "电器", "其他")
LINE_STATUSES = ("present", "missing", "damaged", "moved")
STATUS_LABELS = {"present": _l("齐全"), "missing": _l("缺失"), "damaged": _l("损坏"), "moved": _l("移位")}
NEEDS_PHOTO = ("missing", "damaged")
CHECK_KINDS = ("opening", "closing")
CHECK_LABELS = {"opening": _l("开场检查"), "closing": _l("收场检查")}
# Owner types of the photo rows this capability attaches.
ITEM_PHOTO, LINE_PHOTO, SIGN_OUT, SIGN_IN = "room_item", "handover_line", "handover_sign_out", "handover_sign_in"
CHECK_PHOTO, KEYS_SIGN = "room_check", "room_check_keys"


class Room(SQLModel, table=True):
    """A sample room: one area of the project that holds an inventory (not every area does)."""

    __tablename__ = "handover_room"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    area_id: int = Field(sa_column_args=[sa.ForeignKey("area.id", ondelete="CASCADE")], unique=True)
    name: str = Field(max_length=120)  # the area's name when the room was made; shown in records
    # The two tables point at each other: this key is added after both exist (use_alter), hence its name.
    current_version_id: int | None = Field(
        default=None,
        sa_column_args=[sa.ForeignKey("handover_inventory_version.id", ondelete="SET NULL", use_alter=True,
                                      name="fk_handover_room_current_version_id")],
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InventoryVersion(SQLModel, table=True):
    """The inventory of a room as published; never changed. Items: [{key, name, category, quantity, location, photo_id}]."""

    __tablename__ = "handover_inventory_version"

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(sa_column_args=[sa.ForeignKey("handover_room.id", ondelete="CASCADE")], index=True)
    number: int
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])

    __table_args__ = (sa.UniqueConstraint("room_id", "number"),)


class Handover(SQLModel, table=True):
    """One handover (交接班) of a room: draft → signed (by both) → locked → amended; see workflow.py."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    room_id: int = Field(sa_column_args=[sa.ForeignKey("handover_room.id", ondelete="CASCADE")], index=True)
    version_id: int = Field(sa_column_args=[sa.ForeignKey("handover_inventory_version.id", ondelete="RESTRICT")])
    state: str = Field(default="draft", max_length=10)
    counted_at: datetime = Field(sa_type=UTCDateTime, index=True)  # device time of the count
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outgoing_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    outgoing_signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    incoming_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    incoming_signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    discrepancies: int = Field(default=0)  # lines not "present", kept current by amendments
    note: str = Field(default="", max_length=500)


class HandoverLine(SQLModel, table=True):
    """One inventory item as counted; a copy of the item's name and place, so the record reads on its own."""

    __tablename__ = "handover_line"

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(sa_column_args=[sa.ForeignKey("handover.id", ondelete="CASCADE")], index=True)
    position: int
    item_key: str = Field(max_length=20)
    name: str = Field(max_length=120)
    category: str = Field(max_length=10)
    location: str = Field(default="", max_length=120)
    expected: int
    found: int
    status: str = Field(max_length=10)
    note: str = Field(default="", max_length=200)
    ticket_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("ticket.id", ondelete="SET NULL")])


class Amendment(SQLModel, table=True):
    """A correction of a locked handover: the lines it changed, before and after, and why."""

    __tablename__ = "handover_amendment"

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(sa_column_args=[sa.ForeignKey("handover.id", ondelete="CASCADE")], index=True)
    number: int
    actor_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reason: str = Field(max_length=500)
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)

    __table_args__ = (sa.UniqueConstraint("handover_id", "number"),)


class RoomCheck(SQLModel, table=True):
    """An opening (开场) or closing (收场) check of a room; a closing one ends with the keys handed to a guard."""

    __tablename__ = "handover_room_check"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    room_id: int = Field(sa_column_args=[sa.ForeignKey("handover_room.id", ondelete="CASCADE")], index=True)
    kind: str = Field(max_length=10)
    version_id: int | None = Field(default=None,
                                   sa_column_args=[sa.ForeignKey("checklist_version.id", ondelete="SET NULL")])
    done_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    done_at: datetime = Field(sa_type=UTCDateTime, index=True)  # device time
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    failed: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    key_guard_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    keys_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
