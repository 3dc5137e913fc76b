"""Inspections (案场检查): the visit, each score sheet scored in it, deductions, objections, rectification items."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow

STATUSES = ("provisional", "effective")  # 暂定 during the objection window, then 生效 and locked
OBJECTION_STATES = ("pending", "accepted", "rejected")
RECTIFICATION_STATES = ("open", "closed", "verified")  # 待整改 → 已整改(待验证) → 已验证


class InspectionSettings(SQLModel, table=True):
    """An organisation's inspection rules; without a row, the defaults below apply."""

    __tablename__ = "inspection_settings"

    organisation_id: int = Field(sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")],
                                 primary_key=True)
    objection_days: int = Field(default=3)  # 异议期: days after the inspection
    close_day: int = Field(default=30)  # the month's ranking closes at the end of this day (or the month's last)


class Inspection(SQLModel, table=True):
    """One unannounced visit of the quality team to a site; it may score several sheets."""

    __tablename__ = "inspection"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    lead_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    marketing_rep: str = Field(default="", max_length=60)  # 营销代表
    property_rep: str = Field(default="", max_length=60)  # 物业代表
    note: str = Field(default="", max_length=500)
    inspected_at: datetime = Field(sa_type=UTCDateTime, index=True)  # device time of the visit
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    objection_deadline: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="provisional", max_length=12)
    effective_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # a month of a site's inspections is a range (the ranking: 500 sites, whatever their history), and what the
    # ranking reads of them is in the index
    __table_args__ = (sa.Index("ix_inspection_project_inspected", "project_id", "inspected_at", "status"),)


class InspectionSheet(SQLModel, table=True):
    """A score sheet as scored in one inspection: the version it was filled on, the answers, the score."""

    __tablename__ = "inspection_sheet"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(sa_column_args=[sa.ForeignKey("inspection.id", ondelete="CASCADE")])
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    template_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("checklist_template.id", ondelete="SET NULL")])
    version_id: int | None = Field(  # kept unless the organisation itself goes
        default=None, sa_column_args=[sa.ForeignKey("checklist_version.id", ondelete="SET NULL")])
    name: str = Field(max_length=120)
    base_score: int
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # item key → [result, count]
    original_score: float  # as submitted, before any objection was accepted
    score: float  # now: accepted objections give their points back
    percentage: float
    by_category: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # category → points deducted
    vetoed: bool = Field(default=False)

    # the ranking reads a sheet's template and score from the index alone
    __table_args__ = (sa.Index("ix_inspection_sheet_inspection_score", "inspection_id", "template_id", "score"),)


class Deduction(SQLModel, table=True):
    """A failed item (扣分项); it becomes a rectification item and may be objected to."""

    __tablename__ = "inspection_deduction"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(sa_column_args=[sa.ForeignKey("inspection.id", ondelete="CASCADE")], index=True)
    sheet_id: int = Field(sa_column_args=[sa.ForeignKey("inspection_sheet.id", ondelete="CASCADE")], index=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    item_key: str = Field(max_length=40)
    label: str = Field(max_length=200)
    category: str = Field(default="", max_length=60)
    count: int = Field(default=1)
    points: float  # deducted by this item (before the category cap)
    veto: bool = Field(default=False)
    note: str = Field(default="", max_length=500)
    withdrawn: bool = Field(default=False)  # an objection was accepted, or the inspector withdrew it


class Objection(SQLModel, table=True):
    """The project lead's objection (异议) to one deduction, and the inspector's decision."""

    __tablename__ = "inspection_objection"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(sa_column_args=[sa.ForeignKey("inspection.id", ondelete="CASCADE")], index=True)
    deduction_id: int = Field(sa_column_args=[sa.ForeignKey("inspection_deduction.id", ondelete="CASCADE")],
                              unique=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    raised_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    raised_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(max_length=500)
    status: str = Field(default="pending", max_length=10)
    decided_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", max_length=500)


class Rectification(SQLModel, table=True):
    """A problem to fix (整改项): owner, due date, after-photo, the inspector's verification."""

    __tablename__ = "rectification"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    inspection_id: int = Field(sa_column_args=[sa.ForeignKey("inspection.id", ondelete="CASCADE")], index=True)
    deduction_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("inspection_deduction.id", ondelete="SET NULL")])
    template_id: int | None = Field(  # the sheet it came from: a later inspection of that sheet checks it
        default=None, sa_column_args=[sa.ForeignKey("checklist_template.id", ondelete="SET NULL")])
    label: str = Field(max_length=200)
    note: str = Field(default="", max_length=500)
    owner_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="open", max_length=10)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    close_note: str = Field(default="", max_length=500)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    times_found_open: int = Field(default=0)  # later inspections that found it not closed
    ticket_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("ticket.id", ondelete="SET NULL")])

    __table_args__ = (sa.Index("ix_rectification_project_status", "project_id", "status"),)


class RankingSnapshot(SQLModel, table=True):
    """A month's ranking as it stood when frozen: later changes to inspections do not move it."""

    __tablename__ = "inspection_ranking"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")], index=True)
    month: str = Field(max_length=7)  # "2026-11"
    rows: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    sheets: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # [{key, name, base}]
    frozen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("organisation_id", "month"),)
