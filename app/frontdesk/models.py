"""The front desk's records: a project's units with their owners (a minimal 业主档案) and every call or visit
taken (来电来访登记), whatever became of it (a ticket, an answer, a complaint)."""
import re
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

CHANNELS = ("phone", "visit", "wechat", "referral")  # 来电 / 来访 / 微信 / 巡逻、交接转来
CATEGORIES = ("repair", "complaint", "enquiry", "suggestion", "praise")  # 报修 / 投诉 / 咨询 / 建议 / 表扬
RELATIONS = ("owner", "tenant", "family")  # 业主 / 租户 / 家属


class Unit(SQLModel, table=True):
    """One flat (3栋2单元1201): its parts as typed, the label shown and the key it is found by ("3-2-1201")."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    building: str = Field(max_length=20)
    unit_no: str = Field(default="", max_length=20)  # 单元; some buildings have none
    room: str = Field(max_length=20)
    label: str = Field(max_length=80)
    key: str = Field(max_length=80)
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    # the type-ahead's prefixes (units._starting): on PostgreSQL text_pattern_ops, which LIKE 'prefix%' can use
    # whatever the database's collation; on SQLite plain (a BINARY range); the key's unique index stays as it is
    __table_args__ = (sa.UniqueConstraint("project_id", "key", name="uq_unit_project_key"),
                      sa.Index("ix_unit_project_room", "project_id", "room", postgresql_ops={"room": "text_pattern_ops"}),
                      sa.Index("ix_unit_project_key_prefix", "project_id", "key",
                               postgresql_ops={"key": "text_pattern_ops"}))


class Occupant(SQLModel, table=True):
    """An owner, tenant or family member of a unit, with the phone the desk calls back."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column_args=[sa.ForeignKey("unit.id", ondelete="CASCADE")], index=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    name: str = Field(max_length=60)
    phone: str = Field(default="", max_length=20)
    phone_key: str = Field(default="", max_length=20)  # its digits only: a lookup by phone matches its start
    phone_rev: str = Field(default="", max_length=20)  # the same digits reversed: its end ("尾号") as a range too
    relation: str = Field(default="owner", max_length=10)
    position: int = Field(default=0)

    __table_args__ = (sa.Index("ix_occupant_project_phone", "project_id", "phone_key",
                               postgresql_ops={"phone_key": "text_pattern_ops"}),
                      sa.Index("ix_occupant_project_phone_rev", "project_id", "phone_rev",
                               postgresql_ops={"phone_rev": "text_pattern_ops"}))


def digits(phone: str) -> str:
    """A phone's digits ("138-0013-8000" → "13800138000"), at most 20."""
    return re.sub(r"\D", "", str(phone or ""))[:20]


@sa.event.listens_for(Occupant, "before_insert")
@sa.event.listens_for(Occupant, "before_update")
def _keep_phone_keys(_mapper, _connection, occupant: Occupant) -> None:
    """The keys follow the phone whoever writes it (form, import, demo, bench), so none can be forgotten."""
    occupant.phone_key = digits(occupant.phone)
    occupant.phone_rev = occupant.phone_key[::-1]


class Intake(SQLModel, table=True):
    """One call, visit, WeChat message or referral taken at the desk, and what became of it."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    channel: str = Field(max_length=10)
    category: str = Field(max_length=12)
    urgent: bool = Field(default=False)
    unit_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("unit.id", ondelete="SET NULL")])
    unit_label: str = Field(default="", max_length=80)  # kept as it was when the call came, should the unit change
    caller_name: str = Field(default="", max_length=60)
    caller_phone: str = Field(default="", max_length=20)
    description: str = Field(max_length=2000)
    answer: str = Field(default="", max_length=2000)  # an enquiry's answer given on the spot
    appointment_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # 预约时间 of a home repair
    follow_up: bool = Field(default=False)  # the caller is to be called back
    status: str = Field(default="closed", max_length=10)  # open: the desk still owes something; closed
    ticket_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("ticket.id", ondelete="SET NULL")])
    received_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    received_at: datetime = Field(sa_type=UTCDateTime)  # when the call came (device time)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_intake_project_received", "project_id", "received_at"),)
