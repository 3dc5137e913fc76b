"""Patrol routes, their schedules, the rounds due, and the visits that prove a guard was there."""
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow

# The project roles that walk rounds; a route names one of them.
WALKER_ROLES = ("guard", "engineer", "attendant", "cleaner")
RHYTHMS = ("daily", "weekly", "monthly")


class Route(SQLModel, table=True):
    __tablename__ = "patrol_route"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=120)
    # Walking between two checkpoints faster than this is flagged "too fast".
    min_walk_seconds: int = Field(default=30)
    # A scan this far (metres) from a checkpoint's known position is flagged.
    max_gps_metres: int = Field(default=150)
    role: str = Field(default="guard", max_length=20)  # who walks it: one of WALKER_ROLES
    on_demand: bool = Field(default=False)  # rounds started at will by its walkers, besides any schedule
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RouteStop(SQLModel, table=True):
    __tablename__ = "patrol_route_stop"

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(sa_column_args=[sa.ForeignKey("patrol_route.id", ondelete="CASCADE")], index=True)
    position: int
    checkpoint_id: int = Field(sa_column_args=[sa.ForeignKey("checkpoint.id", ondelete="CASCADE")])
    template_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("checklist_template.id", ondelete="SET NULL")]
    )


class Schedule(SQLModel, table=True):
    """When rounds of a route are due: on the days its rhythm names, every `interval_minutes` from `start` to
    `end` (across midnight). Weekly: on `weekdays` (0 Monday … 6 Sunday). Monthly: on `month_day` (a day past a
    month's end means its last day), or on the `month_week`-th (-1: last) of `weekdays[0]`."""

    __tablename__ = "patrol_schedule"

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(sa_column_args=[sa.ForeignKey("patrol_route.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=120)
    start: time
    end: time
    interval_minutes: int = Field(default=0)  # 0: one round a day, at `start`
    window_minutes: int = Field(default=60)  # how long after its slot a round may be started on time
    grace_minutes: int = Field(default=15)
    rhythm: str = Field(default="daily", max_length=10)  # one of RHYTHMS
    weekdays: list[int] = Field(default_factory=list, sa_type=JSON)
    month_day: int | None = Field(default=None)  # 1-31
    month_week: int | None = Field(default=None)  # 1-4, or -1 for the last
    # The people named, all of the route's role (the name is older than the roles); empty: any of them.
    guard_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    active: bool = Field(default=True)
    # The clock generates no round that closed before this: a new or changed schedule does not back-fill.
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow})


class Round(SQLModel, table=True):
    """One due round: generated from a schedule's slot (or started at will: no schedule); its status is derived
    from its visits and the clock."""

    __tablename__ = "patrol_round"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    route_id: int = Field(sa_column_args=[sa.ForeignKey("patrol_route.id", ondelete="CASCADE")], index=True)
    schedule_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("patrol_schedule.id", ondelete="SET NULL")]
    )
    slot_start: datetime = Field(sa_type=UTCDateTime, index=True)
    window_end: datetime = Field(sa_type=UTCDateTime)
    deadline: datetime = Field(sa_type=UTCDateTime)  # window end + grace: not started by then = missed
    closes_at: datetime = Field(sa_type=UTCDateTime)  # the next slot: not finished by then = incomplete
    # The route as it was when the round was generated: [{position, checkpoint_id, name, area, template_version_id}]
    stops: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    guard_ids: list[int] = Field(default_factory=list, sa_type=JSON)  # who may walk it; empty: the route's role
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # device time of "finish"
    finished_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    generated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=12)  # recorded by the clock once closed: done, missed…

    __table_args__ = (sa.UniqueConstraint("schedule_id", "slot_start"),
                      sa.Index("ix_patrol_round_unsettled", "outcome", "closes_at"),
                      # a month's rounds per site and their outcome, from the index alone (the month matrix)
                      sa.Index("ix_patrol_round_project_slot_outcome", "project_id", "slot_start", "outcome"))


class Visit(SQLModel, table=True):
    """A guard at a checkpoint: when by the phone's clock, when it reached the server, how, and the checklist."""

    __tablename__ = "patrol_visit"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column_args=[sa.ForeignKey("patrol_round.id", ondelete="CASCADE")], index=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    position: int  # the stop's position in the round
    checkpoint_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("checkpoint.id", ondelete="SET NULL")]
    )
    guard_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    scanned_at: datetime = Field(sa_type=UTCDateTime)  # device time at the checkpoint
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    method: str = Field(default="qr", max_length=10)  # qr | manual
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None  # metres
    template_version_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("checklist_version.id", ondelete="SET NULL")]
    )
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    failed: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
