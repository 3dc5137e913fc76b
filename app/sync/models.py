"""What the sync API has accepted, keyed by the client's UUID: the guarantee of exactly once."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class SyncRecord(SQLModel, table=True):
    __tablename__ = "sync_record"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)  # the outbox entry's UUID
    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], index=True)
    project_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True
    )
    kind: str = Field(max_length=40)
    client_time: datetime = Field(sa_type=UTCDateTime)  # when it happened, by the device's clock
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # when it reached the server
    photo_count: int = Field(default=0)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # the first answer, replayed verbatim
