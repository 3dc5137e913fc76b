"""Repair tickets (报修工单). For now a reported ticket with its photos; the repairs issue adds the workflow."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

SOURCES = ("front_desk", "patrol", "handover", "inspection", "resident")


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
    status: str = Field(default="reported", max_length=20)
    reporter_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    reported_at: datetime = Field(sa_type=UTCDateTime)  # when the reporter saw it (device time)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # when it reached the server

    __table_args__ = (sa.Index("ix_ticket_project_status", "project_id", "status"),)
