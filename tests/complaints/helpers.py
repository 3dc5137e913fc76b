"""Builders for complaint tests: a project's departments with a responsible user, complaints in any state."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.complaints.departments import ensure_departments
from app.complaints.models import Complaint, Department, DepartmentMember
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-03-10"  # the day of the `tenth` fixture (conftest.py)


def at(day: str, hm: str) -> datetime:
    """A Shanghai wall-clock time as the UTC instant the database stores."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def departments(session: Session, project, handler=None) -> dict[str, Department]:
    """The project's default departments by code; `handler` is made responsible for security."""
    rows = {d.code: d for d in ensure_departments(session, project.id)}
    if handler is not None:
        session.add(DepartmentMember(department_id=rows["security"].id, user_id=handler.id))
    session.commit()
    return rows


def handler(session: Session, world):
    """A guard of P1 responsible for its security department (班组)."""
    user = factories.user(session, world.org_a, "guard_lead", roles=[(world.p1, "guard")])
    departments(session, world.p1, handler=user)
    return user


def complaint(session: Session, project, *, status: str = "received", owner=None, department=None,
              received_at: datetime | None = None, **fields) -> Complaint:
    """A complaint made directly in `status` (replied ones carry a reply, so they may be closed)."""
    received_at = received_at or datetime.now(timezone.utc)
    replied = status in ("replied", "called_back", "closed")
    values = {"description": "夜间岗亭噪音", "complainant_name": "王女士", "complainant_phone": "13800138000",
              "unit_label": "3栋2单元1201", "reply_due_at": received_at + timedelta(hours=24),
              "resolve_due_at": received_at + timedelta(days=3),
              "first_replied_at": received_at + timedelta(hours=1) if replied else None,
              "replied_at": received_at + timedelta(hours=1) if replied else None, "reply": "已处理" if replied else "",
              **fields}
    obj = Complaint(project_id=project.id, status=status, owner_id=owner.id if owner else None,
                    department_id=department.id if department else None, received_at=received_at,
                    created_at=received_at, **values)
    session.add(obj)
    session.flush()
    obj.number = f"TS-T-{obj.id:04d}"
    session.commit()
    return obj


def security(session: Session, project) -> Department:
    return session.exec(select(Department).where(Department.project_id == project.id,
                                                 Department.code == "security")).one()
