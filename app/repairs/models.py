"""Repair tickets (报修工单): where they came from, who works them, and how the reporter judged the repair."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow

SOURCES = ("front_desk", "patrol", "handover", "inspection", "resident", "incident")
SEVERITIES = ("minor", "medium", "major")  # 小修 / 中修 / 大修; urgency (紧急) is a flag beside it
CATEGORIES = ("水", "电", "门窗", "消防", "电梯", "保洁", "绿化", "其他")


# A partial index's condition as the clock's query writes it (`column = false`: SQLite uses such an index only for
# a query with the same term)
NOT_TOLD = {column: {"sqlite_where": sa.text(f"{column} = 0"), "postgresql_where": sa.text(f"{column} = false")}
            for column in ("dispatch_alerted", "completion_alerted")}


class Ticket(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=24, unique=True)  # BX-20261123-0007, set once the id is known
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    area_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("area.id", ondelete="SET NULL")])
    checkpoint_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("checkpoint.id", ondelete="SET NULL")]
    )
    location: str = Field(default="", max_length=200)
    description: str = Field(max_length=2000)
    source: str = Field(default="front_desk", max_length=20)
    category: str = Field(default="其他", max_length=20)
    severity: str = Field(default="minor", max_length=10)
    urgent: bool = Field(default=False)
    # reported (待派单) → dispatched → in_progress → awaiting_callback → closed; returned, reopened, cancelled
    status: str = Field(default="reported", max_length=20)
    reporter_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    reporter_name: str = Field(default="", max_length=60)  # a resident or visitor without an account
    reporter_phone: str = Field(default="", max_length=20)
    # Taken at the front desk (frontdesk.intake): the caller's unit, how they reached the desk, when they expect us
    unit_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("unit.id", ondelete="SET NULL")])
    unit_label: str = Field(default="", max_length=80)
    channel: str = Field(default="", max_length=10)  # phone / visit / wechat / referral; "" when not from the desk
    appointment_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # 预约时间 of a home repair
    reported_at: datetime = Field(sa_type=UTCDateTime)  # when the reporter saw it (device time)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # when it reached the server
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # completion target, by severity
    assignee_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")],
                                    index=True)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dispatched_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    work_note: str = Field(default="", max_length=2000)
    materials: str = Field(default="", max_length=500)
    callback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    callback_reached: bool | None = Field(default=None)
    satisfaction: int | None = Field(default=None)  # 1-5
    callback_comment: str = Field(default="", max_length=500)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=500)  # why it was last returned, reopened or cancelled
    reopen_count: int = Field(default=0)
    late_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the engineer said they cannot come in time
    informed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the desk told the caller (returned / late)
    public_token: str | None = Field(default=None, max_length=32, unique=True)  # a resident's private status link
    source_ip: str = Field(default="", max_length=45)  # where a public request came from (rate limit)
    # Told past its dispatch / completion target (the clock's claim is its ClockMark; these keep the minute's look
    # for tickets past a target to the ones not told yet, through the two indexes below)
    dispatch_alerted: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    completion_alerted: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})

    # (project, status, created_at / due_at): the tickets past their dispatch or completion target, per site, read
    # from the indexes alone (the home counts them)
    __table_args__ = (sa.Index("ix_ticket_project_status_created", "project_id", "status", "created_at"),
                      sa.Index("ix_ticket_project_status_due", "project_id", "status", "due_at"),
                      # the tickets awaiting callback finished a day ago (the home's count of callbacks due)
                      sa.Index("ix_ticket_project_status_finished", "project_id", "status", "finished_at", "created_at"),
                      # the tickets whose caller waits for news of a late engineer (the front desk's home)
                      sa.Index("ix_ticket_project_status_late", "project_id", "status", "late_at"),
                      # a month's tickets per site, counted from the index alone (the month matrix's open month):
                      # every column `repairs.figures.tallies_by_month` reads, after (project, created_at)
                      sa.Index("ix_ticket_project_created_tally", "project_id", "created_at", "status", "finished_at",
                               "due_at", "callback_reached", "satisfaction"),
                      # the tickets the clock has not told about yet, past their dispatch or completion target:
                      # partial, so they hold only those and no other query's plan picks them
                      sa.Index("ix_ticket_dispatch_alert", "status", "created_at", **NOT_TOLD["dispatch_alerted"]),
                      sa.Index("ix_ticket_completion_alert", "status", "due_at", **NOT_TOLD["completion_alerted"]))


DISPATCH_MINUTES = 3  # the dispatch target of a project that set none


class RepairSettings(SQLModel, table=True):
    """A project's service targets; without a row, the defaults below apply."""

    __tablename__ = "repair_settings"

    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], primary_key=True)
    dispatch_minutes: int = Field(default=DISPATCH_MINUTES)
    urgent_hours: int = Field(default=4)
    minor_days: int = Field(default=7)
    medium_days: int = Field(default=30)
    major_days: int = Field(default=60)
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES), sa_type=JSON)


class RefusedPost(SQLModel, table=True):
    """A resident's post that was turned away (honeypot, bad stamp, refused fields or photos): it counts against
    the address's hourly limit as a ticket does, so refusals cannot be tried without end."""

    __tablename__ = "resident_refusal"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    ip: str = Field(max_length=45, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class RepairMonthCount(SQLModel, table=True):
    """A project's repair figures of a month still moving (this one and the one before), counted by the clock every
    few minutes (`app/repairs/figures.py`), so the figures page reads one row instead of the month's tickets."""

    __tablename__ = "repair_month_count"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    month: str = Field(max_length=7)  # "2026-11", a calendar month in the company's time zone
    dispatch_minutes: int  # the project's dispatch target when counted
    rows: list[Any] = Field(default_factory=list, sa_type=JSON)  # [category, intake, {Tally field: value}] each
    counted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("project_id", "month"),)
