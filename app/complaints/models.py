"""Complaints (投诉): the record, its notes, the departments that handle them, and each project's deadlines."""
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

CATEGORIES = ("噪音", "环境卫生", "服务态度", "安全秩序", "设施设备", "停车", "装修", "其他")
# The departments every project starts with (seed 002's list); "customer_service" is the desk's own (当日办结).
DEPARTMENTS = (("engineering", "工程部"), ("security", "秩序维护部"), ("cleaning", "保洁部"), ("greening", "绿化部"),
               ("customer_service", "客服部"), ("sales", "销售部"))
DESK = "customer_service"


class Department(SQLModel, table=True):
    """A department of a project that complaints are assigned to, with its responsible users (班组)."""

    __tablename__ = "complaint_department"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    code: str = Field(default="", max_length=30)  # one of DEPARTMENTS' codes, "" for one a supervisor added
    name: str = Field(max_length=40)
    position: int = Field(default=0)
    active: bool = Field(default=True)

    __table_args__ = (sa.UniqueConstraint("project_id", "name", name="uq_complaint_department_name"),)


class DepartmentMember(SQLModel, table=True):
    """A user responsible for a department's complaints (a member of the department's project)."""

    __tablename__ = "complaint_department_member"

    department_id: int = Field(sa_column_args=[sa.ForeignKey("complaint_department.id", ondelete="CASCADE")],
                               primary_key=True)
    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], primary_key=True)


class ComplaintSettings(SQLModel, table=True):
    """A project's complaint deadlines; without a row the seeds' defaults apply (seed 000 第十八条, seed 003)."""

    __tablename__ = "complaint_settings"

    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], primary_key=True)
    reply_hours: int = Field(default=24)  # a first reply within 24 hours
    transfer_days: int = Field(default=3)  # passed to another department: handled within 3 days
    escalate_hours: int = Field(default=24)  # past a deadline, one level up (班组 → 主管 → 经理) per this many hours
    repeat_days: int = Field(default=30)  # the same unit and category again within this many days: a repeat
    callback_hours: int = Field(default=24)  # the callback is due this long after the reply


class Complaint(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=24, unique=True)  # TS-20261201-0007
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    channel: str = Field(default="phone", max_length=20)
    category: str = Field(default="其他", max_length=20)
    unit_label: str = Field(default="", max_length=80)  # 3栋2单元1201, as it was when the complaint came
    unit_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("unit.id", ondelete="SET NULL")])
    intake_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("intake.id", ondelete="SET NULL")])
    complainant_name: str = Field(default="", max_length=60)
    complainant_phone: str = Field(default="", max_length=20)
    description: str = Field(max_length=2000)
    urgent: bool = Field(default=False)
    # received → assigned → processing → replied → called_back → closed; unsatisfied at callback → processing
    status: str = Field(default="received", max_length=20)
    owner_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")],
                                 index=True)  # 首问负责制: who received it answers for it until it closes
    department_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("complaint_department.id", ondelete="SET NULL")])
    handler_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    received_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reply_due_at: datetime = Field(sa_type=UTCDateTime)
    resolve_due_at: datetime = Field(sa_type=UTCDateTime)
    assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the reply since the last reprocessing
    reply: str = Field(default="", max_length=1000)
    callback_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    callback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    satisfaction: int | None = Field(default=None)  # 1-5
    callback_comment: str = Field(default="", max_length=500)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reprocess_count: int = Field(default=0)
    escalation: int = Field(default=0)  # 0 none, 1 班组, 2 主管, 3 经理
    ticket_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("ticket.id", ondelete="SET NULL")])
    repeat_of_id: int | None = Field(default=None,
                                     sa_column_args=[sa.ForeignKey("complaint.id", ondelete="SET NULL")])

    __table_args__ = (sa.Index("ix_complaint_project_status", "project_id", "status"),
                      # a month's complaints per site and whether handled on time, from the index alone (the month
                      # matrix's 处理及时率)
                      sa.Index("ix_complaint_project_received_on_time", "project_id", "received_at", "replied_at",
                               "resolve_due_at"))


class ComplaintNote(SQLModel, table=True):
    """One step of the work on a complaint: a note, an on-site visit, an assignment, a reply, a callback."""

    __tablename__ = "complaint_note"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column_args=[sa.ForeignKey("complaint.id", ondelete="CASCADE")], index=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")])
    kind: str = Field(max_length=20)  # one of workflow.TRANSITIONS, or "received"
    text: str = Field(default="", max_length=2000)
    author_id: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    at: datetime = Field(sa_type=UTCDateTime)  # when it happened (the phone's time for an offline note)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
