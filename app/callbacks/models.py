"""Callback attempts (回访记录): one row per call to a reporter or complainant, reached or not."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

SUBJECTS = ("ticket", "complaint", "intake")


class CallbackAttempt(SQLModel, table=True):
    """A call made for a ticket, a complaint or an intake marked for follow-up. The subject's own record (the
    ticket's callback fields, the complaint's state) is changed by its capability; this row counts the attempts
    and keeps what the figures split by (the channel it came in through, the department that handled it)."""

    __tablename__ = "callback_attempt"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    subject_type: str = Field(max_length=20)
    subject_id: int
    channel: str = Field(default="", max_length=20)
    department: str = Field(default="", max_length=40)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    by_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    reached: bool = Field(default=False)
    satisfaction: int | None = Field(default=None)  # 1-5 when reached
    comment: str = Field(default="", max_length=500)
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # not reached: when to try again

    __table_args__ = (sa.Index("ix_callback_attempt_subject", "subject_type", "subject_id"),
                      sa.Index("ix_callback_attempt_project_at", "project_id", "at"),
                      # the attempts whose retry is still to come (the home's count of callbacks due)
                      sa.Index("ix_callback_attempt_retry", "subject_type", "retry_at"))
