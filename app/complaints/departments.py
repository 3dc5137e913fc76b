"""The departments complaints go to (工程 / 秩序维护 / 保洁 / 绿化 / 客服 / 销售 by default), each with its users."""
from flask_babel import gettext as _
from sqlmodel import Session, delete, select

from app.accounts.services import member_ids
from app.complaints.models import DEPARTMENTS, ComplaintSettings, Department, DepartmentMember
from app.core import audit
from app.core.db import get_posted
from app.core.refusal import Refusal
from app.core.validation import required_text, whole


class DepartmentError(Refusal):
    """A department that cannot be saved as typed."""


def ensure_departments(session: Session, project_id: int) -> list[Department]:
    """The project's departments, the default six added the first time anyone needs them."""
    rows = departments_of(session, project_id, active_only=False)
    if rows:
        return rows
    rows = [Department(project_id=project_id, code=code, name=name, position=i)
            for i, (code, name) in enumerate(DEPARTMENTS)]
    session.add_all(rows)
    session.flush()
    return rows


def departments_of(session: Session, project_id: int, active_only: bool = True) -> list[Department]:
    stmt = select(Department).where(Department.project_id == project_id)
    if active_only:
        stmt = stmt.where(Department.active == True)  # noqa: E712
    return session.exec(stmt.order_by(Department.position, Department.id)).all()


def department_of(session: Session, department_id, *, project_id: int) -> Department | None:
    """The active department a form names, if it is this project's."""
    department = get_posted(session, Department, department_id)
    if department is None or department.project_id != project_id or not department.active:
        return None
    return department


def department_users(session: Session, department_id: int | None) -> list[int]:
    """The ids of the department's responsible users."""
    if not department_id:
        return []
    return list(session.exec(select(DepartmentMember.user_id).where(DepartmentMember.department_id == department_id)
                             .order_by(DepartmentMember.user_id)).all())


def users_by_department(session: Session, project_id: int) -> dict[int, list[int]]:
    rows = session.exec(select(DepartmentMember.department_id, DepartmentMember.user_id)
                        .join(Department, Department.id == DepartmentMember.department_id)
                        .where(Department.project_id == project_id)).all()
    out: dict[int, list[int]] = {}
    for department_id, user_id in rows:
        out.setdefault(department_id, []).append(user_id)
    return out


def save_department(session: Session, *, actor, project, department: Department | None, name: str, user_ids,
                    active: bool = True) -> Department:
    """Add or edit a department: its name (unique in the project) and its responsible users (project members)."""
    name = required_text(name, _("部门名称"), 40, error=DepartmentError)
    others = [d for d in departments_of(session, project.id, active_only=False) if d is not department]
    if any(d.name == name for d in others):
        raise DepartmentError(_("已有名为“%(name)s”的部门。", name=name), {"name": _("名称重复")})
    allowed = set(member_ids(session, project.id))
    chosen = {int(u) for u in user_ids if str(u).isdigit() and len(str(u)) < 10}
    if chosen - allowed:
        raise DepartmentError(_("负责人须是本项目的成员。"), {"user_ids": _("请选择本项目的成员")})
    before = None
    if department is None:
        department = Department(project_id=project.id, name=name, position=len(others))
    else:
        before = {"name": department.name, "active": department.active, "users": department_users(session, department.id)}
    department.name, department.active = name, active
    session.add(department)
    session.flush()
    session.exec(delete(DepartmentMember).where(DepartmentMember.department_id == department.id))
    session.add_all([DepartmentMember(department_id=department.id, user_id=u) for u in sorted(chosen)])
    audit.record(session, actor=actor, action="complaint_department.save", obj=department, project_id=project.id,
                 before=before, after={"name": name, "active": active, "users": sorted(chosen)})
    return department


SETTING_LIMITS = {"reply_hours": (1, 168), "transfer_days": (1, 30), "escalate_hours": (1, 168),
                  "repeat_days": (1, 365), "callback_hours": (1, 168)}


def setting_labels() -> dict:
    return {"reply_hours": _("首次答复时限(小时)"), "transfer_days": _("转交部门处理时限(天)"),
            "escalate_hours": _("逐级上报间隔(小时)"), "repeat_days": _("重复投诉判定(天)"),
            "callback_hours": _("答复后回访时限(小时)")}


def save_settings(session: Session, *, actor, project, values: dict) -> ComplaintSettings:
    """A project's complaint deadlines, each checked; refused whole with the first problem."""
    row = session.get(ComplaintSettings, project.id) or ComplaintSettings(project_id=project.id)
    before = {k: getattr(row, k) for k in SETTING_LIMITS}
    labels = setting_labels()
    checked = {key: whole(values.get(key, ""), labels[key], low, high, field=key, error=DepartmentError)
               for key, (low, high) in SETTING_LIMITS.items()}
    for key, value in checked.items():
        setattr(row, key, value)
    session.add(row)
    audit.record(session, actor=actor, action="complaint_settings.update", obj=row, project_id=project.id,
                 before=before, after=checked)
    return row
