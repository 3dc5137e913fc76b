"""Organisation → Project → Area → Checkpoint."""
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


def new_checkpoint_code() -> str:
    """A random, unguessable code for a checkpoint's QR label (about 80 bits, no look-alike letters)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")], index=True
    )
    name: str = Field(max_length=120)
    kind: str = Field(default="sales", max_length=20)  # sales | residential
    address: str = Field(default="", max_length=255)
    archived: bool = Field(default=False)
    keep_photo_location: bool = Field(default=False)  # keep the GPS position in photos' metadata
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)


class Area(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=120)
    position: int = Field(default=0)

    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)


class Checkpoint(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    area_id: int = Field(sa_column_args=[sa.ForeignKey("area.id", ondelete="CASCADE")], index=True)
    name: str = Field(max_length=120)
    code: str = Field(default_factory=new_checkpoint_code, max_length=32, unique=True)
    note: str = Field(default="", max_length=500)
    latitude: float | None = Field(default=None)
    longitude: float | None = Field(default=None)

    __table_args__ = (sa.UniqueConstraint("area_id", "name"),)
