"""A closed month's figures of every site, stored once final (`app/month/figures.py`)."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class MonthFigures(SQLModel, table=True):
    """What the month matrix shows of one organisation's month, as counts per site: later changes do not move it."""

    __tablename__ = "month_figures"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")])
    month: str = Field(max_length=7)  # "2026-11", a calendar month in the company's time zone
    sites: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # project id → counts (sites with none left out)
    frozen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("organisation_id", "month"),)


class MonthDraft(SQLModel, table=True):
    """A month not final yet, counted by the clock every few minutes (`app/month/figures.py`), so a page of 500
    sites reads one row instead of counting the month's records; the page says when it was counted."""

    __tablename__ = "month_draft"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")])
    month: str = Field(max_length=7)
    sites: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    counted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("organisation_id", "month"),)
