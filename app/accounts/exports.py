"""The company's people as tables: its users, and every project role each holds (one row per membership)."""
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.models import Membership
from app.accounts.services import users_stmt
from app.core.i18n import ROLE_LABELS
from app.reports.csv_export import when
from app.reports.xlsx_export import Sheet


def user_sheets(session: Session, organisation_id: int) -> list[Sheet]:
    """Two sheets: the users (active first), and the memberships by user and project, in two queries."""
    from app.projects.services import organisation_projects  # projects' services read accounts' at import

    users = session.exec(users_stmt(organisation_id)).all()
    projects = {p.id: p for p in organisation_projects(session, organisation_id, active_only=False)}
    memberships = session.exec(select(Membership).where(Membership.project_id.in_(list(projects)))).all()
    roles = {k: str(v) for k, v in ROLE_LABELS.items()}
    by_user: dict[int, list[Membership]] = {}
    for m in memberships:
        by_user.setdefault(m.user_id, []).append(m)
    yes, active, inactive = _("是"), _("启用"), _("停用")
    people = [[u.username, u.display_name, u.phone, active if u.active else inactive, yes if u.is_admin else "",
               len({m.project_id for m in by_user.get(u.id, [])}), when(u.created_at)] for u in users]
    order = {p: i for i, p in enumerate(projects)}  # by project name
    held = [[u.username, u.display_name, projects[m.project_id].name, roles.get(m.role, m.role), when(m.created_at)]
            for u in users for m in sorted(by_user.get(u.id, []), key=lambda m: (order[m.project_id], m.role))]
    return [Sheet(_("用户"), [_("用户名"), _("姓名"), _("手机号"), _("状态"), _("公司管理员"), _("项目数"), _("创建时间")],
                  people),
            Sheet(_("项目角色"), [_("用户名"), _("姓名"), _("项目"), _("角色"), _("加入时间")], held)]


