"""Channels out: where a project's alerts also go (a WeCom, DingTalk or Feishu group robot, or an e-mail address),
and the outbox of deliveries the clock sends."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.core.db import UTCDateTime, utcnow

KINDS = ("wecom", "dingtalk", "feishu", "email")


class Channel(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    kind: str = Field(max_length=10)  # one of KINDS
    name: str = Field(default="", max_length=60)
    target: str = Field(max_length=500)  # the robot's webhook URL (its key is a secret too) or an e-mail address
    secret: str = Field(default="", max_length=200)  # DingTalk's / Feishu's signing secret; never shown back whole
    events: list = Field(default_factory=list, sa_type=JSON)  # event names or capability prefixes; empty = all
    locale: str = Field(default="zh_Hans", max_length=10)  # the group's language
    digest_hour: int | None = Field(default=None)  # local hour of the daily digest; None = no digest
    digest_sent_on: date | None = Field(default=None)  # the local day whose digest was last claimed
    active: bool = Field(default=True)
    created_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """One message to one channel: an alert (rendered when sent, in the channel's language), a digest or a test.

    `alert_key` is unique per channel, so the same alert is never queued twice; the clock claims a row (pending →
    sending) with compare-and-set before sending it, so two tickers never send it twice."""

    __tablename__ = "channel_delivery"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(sa_column_args=[sa.ForeignKey("channel.id", ondelete="CASCADE")])
    alert_key: str = Field(max_length=120)
    event: str = Field(default="", max_length=60)
    params: dict = Field(default_factory=dict, sa_type=JSON)
    link: dict = Field(default_factory=dict, sa_type=JSON)
    body: str = Field(default="", max_length=4000)  # ready text: digests, tests and notifications without event
    status: str = Field(default="pending", max_length=10)  # pending | sending | sent | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answer: str = Field(default="", max_length=500)  # the platform's answer, or why it could not be reached
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("channel_id", "alert_key", name="uq_channel_delivery_key"),
                      sa.Index("ix_channel_delivery_due", "status", "next_attempt_at"),
                      sa.Index("ix_channel_delivery_channel", "channel_id", "created_at"))
