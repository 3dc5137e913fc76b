"""Incidents (特殊事件报告): the typed record a guard or any project role on duty writes, and its follow-ups."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

# The seeds' incidents (seed 001 "23个怎么办", seed 002 §14, seed 004 盘查可疑人员 / 打架斗殴 / 失物招领, seed 000
# 地下室透水), as codes; their words are in services.KIND_LABELS.
KINDS = ("fall", "dispute", "stranger", "fire_alarm", "flooding", "theft", "lost_property", "gift", "vehicle",
         "other")
SEVERITIES = ("minor", "serious", "critical")  # 一般 / 严重 / 紧急: above minor reaches the supervisors
SOURCES = ("home", "round", "post")  # where it was reported from


class Incident(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=24, unique=True)  # SJ-20261201-0007
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    kind: str = Field(max_length=20)
    severity: str = Field(default="minor", max_length=10)
    occurred_at: datetime = Field(sa_type=UTCDateTime)  # when it happened, as the reporter says
    reported_at: datetime = Field(sa_type=UTCDateTime)  # when it was written down (the phone's clock)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # when it reached the server
    reporter_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    area_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("area.id", ondelete="SET NULL")])
    checkpoint_id: int | None = Field(default=None,
                                      sa_column_args=[sa.ForeignKey("checkpoint.id", ondelete="SET NULL")])
    location: str = Field(default="", max_length=200)  # 具体位置: B1 车库 15 号车位, or the post's name
    source: str = Field(default="home", max_length=10)
    round_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("patrol_round.id", ondelete="SET NULL")])
    people: str = Field(default="", max_length=500)  # 当事人: who was involved, how to reach them
    description: str = Field(max_length=2000)  # 经过
    action_taken: str = Field(default="", max_length=2000)  # 处理措施: what was done on the spot
    # open → following (a follow-up was written) → closed (by a supervisor)
    status: str = Field(default="open", max_length=12)
    alerted: str = Field(default="", max_length=10)  # the highest severity the supervisors were alerted of
    ticket_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("ticket.id", ondelete="SET NULL")])
    complaint_id: int | None = Field(default=None,
                                     sa_column_args=[sa.ForeignKey("complaint.id", ondelete="SET NULL")])
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])

    __table_args__ = (sa.Index("ix_incident_project_status", "project_id", "status"),
                      sa.Index("ix_incident_project_occurred", "project_id", "occurred_at"))


class FollowUp(SQLModel, table=True):
    """One step after the report (跟进): who, when, what; the closing step too, and a ticket or complaint opened."""

    __tablename__ = "incident_followup"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(sa_column_args=[sa.ForeignKey("incident.id", ondelete="CASCADE")], index=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    kind: str = Field(default="note", max_length=12)  # note / severity / close / ticket / complaint
    text: str = Field(default="", max_length=2000)
    author_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    at: datetime = Field(sa_type=UTCDateTime)  # when it happened (the phone's time for an offline one)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
