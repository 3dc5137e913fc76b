"""The audit log: who changed what, when, with the state before and after."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, Session, SQLModel

from app.core.db import UTCDateTime, utcnow


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")], index=True
    )
    organisation_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")], index=True
    )
    project_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("project.id", ondelete="SET NULL")], index=True
    )
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: int | None = Field(default=None)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


def snapshot(obj, fields) -> dict[str, Any]:
    """The fields of a model worth keeping in an audit entry, as JSON-safe values."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def record(
    session: Session,
    *,
    actor,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    project_id: int | None = None,
    organisation_id: int | None = None,
) -> AuditLog:
    """Add an audit entry to the session; it commits with the change it describes."""
    if getattr(obj, "id", 0) is None:
        session.flush()  # the object needs its id (one that has it is flushed with the entry, at the commit)
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        organisation_id=organisation_id if organisation_id is not None else getattr(actor, "organisation_id", None),
        project_id=project_id if project_id is not None else getattr(obj, "project_id", None),
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
