"""Checklist templates and their versions. A record keeps the version it was filled on; versions never change."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow

PURPOSES = ("patrol", "opening", "closing", "inspection", "engineering", "other")


class ChecklistTemplate(SQLModel, table=True):
    __tablename__ = "checklist_template"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")], index=True)
    key: str = Field(max_length=60)  # a slug, e.g. "night-patrol"; what import and export match on
    name: str = Field(max_length=120)
    purpose: str = Field(default="other", max_length=20)
    is_score_sheet: bool = Field(default=False)
    base_score: int | None = Field(default=None)
    # The two tables point at each other: this key is added after both exist (use_alter), hence its name.
    current_version_id: int | None = Field(
        default=None,
        sa_column_args=[sa.ForeignKey("checklist_version.id", ondelete="SET NULL", use_alter=True,
                                      name="fk_checklist_template_current_version_id")],
    )
    archived: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)


class ChecklistVersion(SQLModel, table=True):
    __tablename__ = "checklist_version"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(sa_column_args=[sa.ForeignKey("checklist_template.id", ondelete="CASCADE")], index=True)
    number: int
    definition: dict[str, Any] = Field(sa_type=JSON)  # the normalised definition, as validate_definition returns it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])

    __table_args__ = (sa.UniqueConstraint("template_id", "number"),)
