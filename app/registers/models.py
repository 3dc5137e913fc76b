"""The registers kept at a post (seeds 001, 002, 004): visitors and entries (来访登记), lost property (失物招领),
items handed in (礼品上缴) and keys lent and returned (钥匙借还). Each row belongs to a post (`shift_post`) of its
project; its times are the phone's (when it happened), the recorders are users."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


def _user(**kw):
    return Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")], **kw)


class Visit(SQLModel, table=True):
    """A visitor or an entry (来访登记): who, whom or which unit, why, in and out, the vehicle's plate."""

    __tablename__ = "register_visit"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")])
    visitor_name: str = Field(max_length=60)
    id_number: str = Field(default="", max_length=30)  # 证件号: stored whole, shown masked
    phone: str = Field(default="", max_length=20)  # shown masked
    visiting: str = Field(max_length=80)  # whom or which unit (被访人 / 房号)
    reason: str = Field(default="", max_length=200)
    plate: str = Field(default="", max_length=20)
    in_at: datetime = Field(sa_type=UTCDateTime)
    out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by: int | None = _user()
    out_by: int | None = _user()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_register_visit_post_in", "post_id", "in_at"),
                      sa.Index("ix_register_visit_project_in", "project_id", "in_at"))


class Found(SQLModel, table=True):
    """A lost item found (失物招领): when, where, by whom, what, kept where; then returned to its owner, who gives
    name and phone and signs (the signature a Photo "register_found_sign"), or — long unclaimed — handed to a
    police station (上交派出所), whose officer gives the same and signs."""

    __tablename__ = "register_found"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")])
    found_at: datetime = Field(sa_type=UTCDateTime)
    found_place: str = Field(max_length=80)
    found_by: str = Field(default="", max_length=60)  # "" when the recorder found it
    description: str = Field(max_length=500)
    kept_where: str = Field(max_length=80)
    recorded_by: int | None = _user()
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    receiver_name: str = Field(default="", max_length=60)
    receiver_phone: str = Field(default="", max_length=20)
    returned_by: int | None = _user()
    returned_to: str = Field(default="owner", max_length=10)  # owner | police (receiver: the officer)
    police_station: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_register_found_post_found", "post_id", "found_at"),
                      sa.Index("ix_register_found_open", "project_id", "returned_at"))


class Gift(SQLModel, table=True):
    """A gift a client pressed on the staff, handed in and registered (礼品上缴, seed 001 「客户要赠送礼品」)."""

    __tablename__ = "register_gift"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")])
    received_at: datetime = Field(sa_type=UTCDateTime)
    giver: str = Field(max_length=60)
    item: str = Field(max_length=200)
    value: int | None = None  # 估价 in whole yuan, when known
    handed_to: str = Field(max_length=60)
    note: str = Field(default="", max_length=200)
    recorded_by: int | None = _user()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_register_gift_post_received", "post_id", "received_at"),
                      sa.Index("ix_register_gift_project_received", "project_id", "received_at"))


class KeyLoan(SQLModel, table=True):
    """A key lent from the post (钥匙借还): which, to whom, due back when, returned when. Overdue while it is out
    past `due_at`."""

    __tablename__ = "register_key"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    post_id: int = Field(sa_column_args=[sa.ForeignKey("shift_post.id", ondelete="CASCADE")])
    key_name: str = Field(max_length=60)
    borrower: str = Field(max_length=60)
    borrower_phone: str = Field(default="", max_length=20)
    lent_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=200)
    lent_by: int | None = _user()
    returned_by: int | None = _user()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_register_key_post_lent", "post_id", "lent_at"),
                      sa.Index("ix_register_key_open", "project_id", "returned_at", "due_at"))
